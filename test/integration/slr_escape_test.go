package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	iamstore "github.com/openpca/openpca/internal/iam"
)

// TestSCPEscapeThroughFakeServiceRole replays issue #16 item 1: a member
// account's administrator may not create a role under /aws-service-role/
// (only CreateServiceLinkedRole may), so it cannot make itself a role that
// SCPs do not bound; its ordinary roles stay under the SCP that denies
// LeaveOrganization.
func TestSCPEscapeThroughFakeServiceRole(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	orgs := organizations.NewFromConfig(r.awsConfig(mgmtKeyID, mgmtSecret, ""))
	must[*organizations.CreateOrganizationOutput](t)(orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}))
	rootID := *must[*organizations.ListRootsOutput](t)(orgs.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	member := createMemberAccount(t, orgs, "member")
	must[*organizations.EnablePolicyTypeOutput](t)(orgs.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{
		RootId: &rootID, PolicyType: orgtypes.PolicyTypeServiceControlPolicy}))
	scp := must[*organizations.CreatePolicyOutput](t)(orgs.CreatePolicy(ctx, &organizations.CreatePolicyInput{
		Name: aws.String("no-leave"), Description: aws.String("stay"), Type: orgtypes.PolicyTypeServiceControlPolicy,
		Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`)}))
	must[*organizations.AttachPolicyOutput](t)(orgs.AttachPolicy(ctx, &organizations.AttachPolicyInput{
		PolicyId: scp.Policy.PolicySummary.Id, TargetId: &member}))

	// The member's administrator, made through OrganizationAccountAccessRole.
	orgAdmin := userIn(t, r.rootIAM(), "orgadmin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	access := assume(t, r, orgAdmin, "arn:aws:iam::"+member+":role/OrganizationAccountAccessRole")
	admin := userIn(t, r.iamAs(access), "admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	adminIAM := r.iamAs(admin)
	trust := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + member + `"},"Action":"sts:AssumeRole"}]}`)

	_, err := adminIAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("AWSServiceRoleForCertificateManager"),
		Path: aws.String("/aws-service-role/acm.amazonaws.com/"), AssumeRolePolicyDocument: trust})
	if msg := apiError(t, err, "InvalidInput"); msg != "Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles" {
		t.Fatalf("message = %q", msg)
	}
	out := must[*iam.CreateRoleOutput](t)(adminIAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("escape"), AssumeRolePolicyDocument: trust}))
	must[*iam.PutRolePolicyOutput](t)(adminIAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("escape"), PolicyName: aws.String("all"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}))
	sess := assume(t, r, admin, *out.Role.Arn)
	_, err = organizations.NewFromConfig(r.awsConfig(sess.key, sess.secret, sess.token)).LeaveOrganization(ctx, &organizations.LeaveOrganizationInput{})
	apiError(t, err, "AccessDeniedException")

	// A role that merely sits under the reserved path (here made directly,
	// as no API allows it) is no service-linked role: its sessions stay
	// bounded by the SCP. authz decides from the stored attribute, not the ARN.
	lookalike, err := r.app.IAMStore.CreateRoleDirect(ctx, iamstore.RoleSpec{AccountID: member, Name: "AWSServiceRoleForCertificateManager",
		Path: "/aws-service-role/acm.amazonaws.com/", TrustPolicy: *trust})
	if err != nil {
		t.Fatal(err)
	}
	must[*iam.PutRolePolicyOutput](t)(adminIAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("AWSServiceRoleForCertificateManager"),
		PolicyName: aws.String("all"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}))
	fake := assume(t, r, admin, lookalike.Arn)
	_, err = organizations.NewFromConfig(r.awsConfig(fake.key, fake.secret, fake.token)).LeaveOrganization(ctx, &organizations.LeaveOrganizationInput{})
	apiError(t, err, "AccessDeniedException")
}
