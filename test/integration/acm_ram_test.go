package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ram"
)

// TestACMThroughRAMOrganizationShare: a CA shared through RAM with an OU
// (organization sharing on) serves managed certificates to a member
// account, and their renewals, which run as ACM's service-linked role in
// the member account, follow the account's membership: moved out of the
// OU, the renewal is predicted and then seen to fail with
// PCA_ACCESS_DENIED in the member's account.
func TestACMThroughRAMOrganizationShare(t *testing.T) {
	r := newACMRig(t)
	ctx := context.Background()
	a := creds{key: mgmtKeyID, secret: mgmtSecret}
	orgs := organizations.NewFromConfig(r.awsConfig(a.key, a.secret, ""))
	o := must[*organizations.CreateOrganizationOutput](t)(orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}))
	orgID := *o.Organization.Id
	rootID := *must[*organizations.ListRootsOutput](t)(orgs.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	ou := *must[*organizations.CreateOrganizationalUnitOutput](t)(orgs.CreateOrganizationalUnit(ctx,
		&organizations.CreateOrganizationalUnitInput{ParentId: &rootID, Name: aws.String("Shared")})).OrganizationalUnit.Id
	st := must[*organizations.CreateAccountOutput](t)(orgs.CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String("c"), Email: aws.String("c@example.com")}))
	if st.CreateAccountStatus.State != orgtypes.CreateAccountStateSucceeded {
		t.Fatalf("CreateAccount %s", st.CreateAccountStatus.State)
	}
	cID := *st.CreateAccountStatus.AccountId
	must[*organizations.MoveAccountOutput](t)(orgs.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &cID,
		SourceParentId: &rootID, DestinationParentId: &ou}))
	aAdmin := userIn(t, r.rootIAM(), "orgadmin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	cDev := userIn(t, r.iamAs(assume(t, r.rig, aAdmin, "arn:aws:iam::"+cID+":role/OrganizationAccountAccessRole")), "dev", acmUserPolicy)

	ca := activeCA(t, r.pca(a))
	aRAM := r.ram(a)
	must[*ram.EnableSharingWithAwsOrganizationOutput](t)(aRAM.EnableSharingWithAwsOrganization(ctx, &ram.EnableSharingWithAwsOrganizationInput{}))
	must[*ram.CreateResourceShareOutput](t)(aRAM.CreateResourceShare(ctx, &ram.CreateResourceShareInput{
		Name: aws.String("ou"), ResourceArns: []string{ca}, AllowExternalPrincipals: aws.Bool(false),
		Principals: []string{"arn:aws:organizations::" + mgmtAccount + ":ou/" + orgID + "/" + ou}}))

	cACM := r.acm(cDev)
	arn := request(t, cACM, ca)
	r.work(0)
	if d := r.describe(cACM, arn); d.Status != acmtypes.CertificateStatusIssued {
		t.Fatalf("status %s (%s)", d.Status, d.FailureReason)
	}
	export(t, cACM, arn)
	if got := r.predicted(a, ca, arn); got != "SUCCESS" {
		t.Fatalf("prediction inside the OU: %s", got)
	}
	r.work(renewAt)
	if d := r.describe(cACM, arn); d.RenewalSummary == nil || d.RenewalSummary.RenewalStatus != acmtypes.RenewalStatusSuccess {
		t.Fatalf("renewal inside the OU: %+v", d.RenewalSummary)
	}

	// Re-exported, then the account leaves the OU: the next renewal fails.
	export(t, cACM, arn)
	must[*organizations.MoveAccountOutput](t)(orgs.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &cID,
		SourceParentId: &ou, DestinationParentId: &rootID}))
	if got := r.predicted(a, ca, arn); got != "PCA_ACCESS_DENIED by CA_OWNER" {
		t.Fatalf("prediction outside the OU: %s", got)
	}
	r.work(2 * renewAt) // the renewed certificate's own renewal date
	d := r.describe(cACM, arn)
	if d.RenewalSummary == nil || d.RenewalSummary.RenewalStatus != acmtypes.RenewalStatusPendingAutoRenewal ||
		d.RenewalSummary.RenewalStatusReason != acmtypes.FailureReasonPcaAccessDenied {
		t.Fatalf("renewal outside the OU: %+v", d.RenewalSummary)
	}
}
