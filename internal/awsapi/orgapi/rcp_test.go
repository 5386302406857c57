package orgapi

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestRCPBoundsAssumeRole: an RCP on a member account's path denies
// sts:AssumeRole on its roles, whoever calls; RCPFullAWSAccess alone lets
// the trust policy decide; the management account's roles are exempt.
func TestRCPBoundsAssumeRole(t *testing.T) {
	s := newStack(t)
	ctx := s.ctx
	tr := buildTree(t, s)
	m := tr.mgmt.org
	memberRole := aws.String("arn:aws:iam::" + tr.created + ":role/OrganizationAccountAccessRole")
	// assumer makes a user allowed to call sts:AssumeRole (roots may not).
	assumer := func(c clients) clients {
		must[*awsiam.CreateUserOutput](t)(c.iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("assumer")}))
		must[*awsiam.PutUserPolicyOutput](t)(c.iam.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("assumer"), PolicyName: aws.String("assume"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}))
		k := must[*awsiam.CreateAccessKeyOutput](t)(c.iam.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("assumer")}))
		return s.as(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	}
	mgmtUser, invitedUser := assumer(tr.mgmt), assumer(tr.invited)
	assume := func(c clients, role *string) error {
		_, err := c.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role, RoleSessionName: aws.String("rcp")})
		return err
	}

	must[*organizations.EnablePolicyTypeOutput](t)(m.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(tr.rootID), PolicyType: types.PolicyTypeResourceControlPolicy}))
	if err := assume(mgmtUser, memberRole); err != nil {
		t.Fatalf("AssumeRole under RCPFullAWSAccess: %v", err)
	}
	cp := must[*organizations.CreatePolicyOutput](t)(m.CreatePolicy(ctx, &organizations.CreatePolicyInput{
		Name: aws.String("no-assume"), Description: aws.String(""), Type: types.PolicyTypeResourceControlPolicy,
		Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}]}`)}))
	pid := cp.Policy.PolicySummary.Id
	must[*organizations.AttachPolicyOutput](t)(m.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pid, TargetId: aws.String(tr.created)}))
	err := assume(mgmtUser, memberRole)
	if apiCode(err) != "AccessDenied" || !strings.Contains(err.Error(), "with an explicit deny in a resource control policy") {
		t.Fatalf("AssumeRole on a role under a denying RCP: %v", err)
	}

	// A role of the management account stays assumable under the same RCP
	// attached at the root.
	must[*organizations.AttachPolicyOutput](t)(m.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pid, TargetId: aws.String(tr.rootID)}))
	must[*awsiam.CreateRoleOutput](t)(tr.mgmt.iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("for-invited"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + invitedAccount + `"},"Action":"sts:AssumeRole"}]}`)}))
	if err := assume(invitedUser, aws.String("arn:aws:iam::"+mgmtAccount+":role/for-invited")); err != nil {
		t.Fatalf("AssumeRole on a management-account role: %v", err)
	}

	// Detached everywhere: the member's role is assumable again at once.
	for _, target := range []string{tr.created, tr.rootID} {
		must[*organizations.DetachPolicyOutput](t)(m.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: pid, TargetId: aws.String(target)}))
	}
	if err := assume(mgmtUser, memberRole); err != nil {
		t.Fatalf("AssumeRole after detaching: %v", err)
	}
}
