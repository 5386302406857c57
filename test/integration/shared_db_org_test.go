package integration

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"
)

// untilShared polls check (a request through the other server) until it
// reports true, for at most 5 s of real time while the fake clocks stand
// still: a change must arrive by notification, never by a cache TTL.
func untilShared(t *testing.T, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("server b still does not see: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Organization changes made through server a (an account moved into and
// out of an OU under an SCP, an SCP attached to the account, the account
// closed) are enforced by server b on its next requests, although b
// cached the account's organization context and open status and its
// clock never reaches their TTL.
func TestSharedDatabaseOrgCachesNotified(t *testing.T) {
	a, b := sharedPair(t)
	ctx := context.Background()
	orgs := organizations.NewFromConfig(a.awsConfig(mgmtKeyID, mgmtSecret, ""))
	must[*organizations.CreateOrganizationOutput](t)(orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}))
	rootID := *must[*organizations.ListRootsOutput](t)(orgs.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	member := createMemberAccount(t, orgs, "member")
	must[*organizations.EnablePolicyTypeOutput](t)(orgs.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{
		RootId: &rootID, PolicyType: orgtypes.PolicyTypeServiceControlPolicy}))
	denyPCA := func(name string) *string {
		return must[*organizations.CreatePolicyOutput](t)(orgs.CreatePolicy(ctx, &organizations.CreatePolicyInput{
			Name: aws.String(name), Description: aws.String(name), Type: orgtypes.PolicyTypeServiceControlPolicy,
			Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"acm-pca:*","Resource":"*"}]}`)})).Policy.PolicySummary.Id
	}
	locked := must[*organizations.CreateOrganizationalUnitOutput](t)(orgs.CreateOrganizationalUnit(ctx,
		&organizations.CreateOrganizationalUnitInput{ParentId: &rootID, Name: aws.String("Locked")})).OrganizationalUnit.Id
	must[*organizations.AttachPolicyOutput](t)(orgs.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: denyPCA("ou-deny"), TargetId: locked}))

	orgAdmin := userIn(t, a.rootIAM(), "orgadmin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	access := assume(t, a, orgAdmin, "arn:aws:iam::"+member+":role/OrganizationAccountAccessRole")
	dev := userIn(t, a.iamAs(access), "dev", allowPCA)
	onB := b.pca(dev)
	allowed := func() bool {
		_, err := onB.ListCertificateAuthorities(ctx, &acmpca.ListCertificateAuthoritiesInput{})
		return err == nil
	}
	if !allowed() { // b caches the member's organization context: in the root, no SCP
		t.Fatal("member denied before any SCP applies")
	}
	move := func(from, to string) {
		must[*organizations.MoveAccountOutput](t)(orgs.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &member,
			SourceParentId: &from, DestinationParentId: &to}))
	}
	move(rootID, *locked)
	untilShared(t, "the account moved into an OU whose SCP denies", func() bool { return !allowed() })
	move(*locked, rootID)
	untilShared(t, "the account moved out of the OU", allowed)
	must[*organizations.AttachPolicyOutput](t)(orgs.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: denyPCA("acct-deny"), TargetId: &member}))
	untilShared(t, "an SCP attached to the account", func() bool { return !allowed() })

	must[*organizations.CloseAccountOutput](t)(orgs.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: &member}))
	untilShared(t, "the closed account's credentials", func() bool {
		_, err := onB.ListCertificateAuthorities(ctx, &acmpca.ListCertificateAuthoritiesInput{})
		return err != nil && sharedErrCode(err) == "UnrecognizedClientException"
	})
}

// sharedErrCode is the AWS error code of err ("" when it has none).
func sharedErrCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
