package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ram"
)

// TestRAMRoleRecreatedLosesShare: a share to an IAM role ARN grants the
// role that existed when it was associated (RAM's policy names its unique
// ID, as PutPolicy's does). A role deleted and created again under the
// same name is denied, also after the CA's policy is recomputed, until the
// owner associates the ARN again. GetPolicy and GetResourcePolicies show
// the ARN while the role exists, the old ID once it is gone.
func TestRAMRoleRecreatedLosesShare(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	a := creds{key: mgmtKeyID, secret: mgmtSecret}
	aPCA, aRAM := r.pca(a), r.ram(a)
	ca := activeCA(t, aPCA)
	csr := leafCSR(t)
	bID, bRoot, _ := standalone(t, r, "b")
	cID, _, _ := standalone(t, r, "c")
	bIAM, bRAM := r.iamAs(bRoot), r.ram(bRoot)
	assumer := userIn(t, bIAM, "assumer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	roleARN := "arn:aws:iam::" + bID + ":role/issuer"
	makeRole := func() string {
		out := must[*iam.CreateRoleOutput](t)(bIAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("issuer"),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` +
				bID + `:root"},"Action":"sts:AssumeRole"}]}`)}))
		must[*iam.PutRolePolicyOutput](t)(bIAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("issuer"),
			PolicyName: aws.String("p"), PolicyDocument: aws.String(allowPCA)}))
		return *out.Role.RoleId
	}
	accept := func(share string) {
		inv := pendingInvitation(t, bRAM, share)
		must[*ram.AcceptResourceShareInvitationOutput](t)(bRAM.AcceptResourceShareInvitation(ctx,
			&ram.AcceptResourceShareInvitationInput{ResourceShareInvitationArn: inv.ResourceShareInvitationArn}))
	}
	policies := func() (getPolicy, resourcePolicies string) {
		p := must[*acmpca.GetPolicyOutput](t)(aPCA.GetPolicy(ctx, &acmpca.GetPolicyInput{ResourceArn: &ca}))
		rp := must[*ram.GetResourcePoliciesOutput](t)(aRAM.GetResourcePolicies(ctx, &ram.GetResourcePoliciesInput{ResourceArns: []string{ca}}))
		if len(rp.Policies) != 1 || rp.Policies[0] != *p.Policy {
			t.Fatalf("GetResourcePolicies %v differs from GetPolicy %s", rp.Policies, *p.Policy)
		}
		return *p.Policy, rp.Policies[0]
	}

	oldID := makeRole()
	share := *must[*ram.CreateResourceShareOutput](t)(aRAM.CreateResourceShare(ctx, &ram.CreateResourceShareInput{
		Name: aws.String("to-role"), ResourceArns: []string{ca}, Principals: []string{roleARN}})).ResourceShare.ResourceShareArn
	accept(share)
	if _, err := issue(r.pca(assume(t, r, assumer, roleARN)), ca, "", csr); err != nil {
		t.Fatalf("the shared role: %v", err)
	}
	if doc, _ := policies(); !strings.Contains(doc, `"`+roleARN+`"`) || strings.Contains(doc, oldID) {
		t.Fatalf("while the role exists the policy shows its ARN: %s", doc)
	}

	must[*iam.DeleteRolePolicyOutput](t)(bIAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("issuer"), PolicyName: aws.String("p")}))
	must[*iam.DeleteRoleOutput](t)(bIAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("issuer")}))
	if doc, _ := policies(); !strings.Contains(doc, `"`+oldID+`"`) || strings.Contains(doc, roleARN) {
		t.Fatalf("once the role is gone the policy shows its unique ID %s: %s", oldID, doc)
	}
	newID := makeRole()
	if newID == oldID {
		t.Fatalf("the recreated role kept its ID %s", newID)
	}
	_, err := issue(r.pca(assume(t, r, assumer, roleARN)), ca, "", csr)
	wantDenied(t, err, "because no resource-based policy allows")

	// Another principal joins the share: the CA's policy is rebuilt, and
	// still names the old role.
	must[*ram.AssociateResourceShareOutput](t)(aRAM.AssociateResourceShare(ctx, &ram.AssociateResourceShareInput{
		ResourceShareArn: &share, Principals: []string{cID}}))
	_, err = issue(r.pca(assume(t, r, assumer, roleARN)), ca, "", csr)
	wantDenied(t, err, "because no resource-based policy allows")
	if doc, _ := policies(); !strings.Contains(doc, `"`+oldID+`"`) {
		t.Fatalf("the rebuilt policy lost the old role's ID: %s", doc)
	}

	// The owner shares with the new role by associating the ARN again.
	must[*ram.DisassociateResourceShareOutput](t)(aRAM.DisassociateResourceShare(ctx, &ram.DisassociateResourceShareInput{
		ResourceShareArn: &share, Principals: []string{roleARN}}))
	must[*ram.AssociateResourceShareOutput](t)(aRAM.AssociateResourceShare(ctx, &ram.AssociateResourceShareInput{
		ResourceShareArn: &share, Principals: []string{roleARN}}))
	accept(share)
	if _, err := issue(r.pca(assume(t, r, assumer, roleARN)), ca, "", csr); err != nil {
		t.Fatalf("the new role after the owner shared with it again: %v", err)
	}
	if doc, _ := policies(); !strings.Contains(doc, `"`+roleARN+`"`) || strings.Contains(doc, oldID) {
		t.Fatalf("after re-association the policy names the new role: %s", doc)
	}
}
