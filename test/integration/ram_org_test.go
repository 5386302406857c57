package integration

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"
)

// TestRAMOrganization plays §10b row 9 and §9.2: organization sharing on,
// shares to the organization, to an OU (with a nested OU under it) and to a
// member account are associated without invitations; access follows
// membership live.
func TestRAMOrganization(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	a := creds{key: mgmtKeyID, secret: mgmtSecret}
	orgs := organizations.NewFromConfig(r.awsConfig(a.key, a.secret, ""))
	o := must[*organizations.CreateOrganizationOutput](t)(orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}))
	orgID := *o.Organization.Id
	rootID := *must[*organizations.ListRootsOutput](t)(orgs.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	newOU := func(parent, name string) string {
		return *must[*organizations.CreateOrganizationalUnitOutput](t)(orgs.CreateOrganizationalUnit(ctx,
			&organizations.CreateOrganizationalUnitInput{ParentId: &parent, Name: &name})).OrganizationalUnit.Id
	}
	shared := newOU(rootID, "Shared")
	team := newOU(shared, "Team")
	cID, dID := createMemberAccount(t, orgs, "c"), createMemberAccount(t, orgs, "d")
	must[*organizations.MoveAccountOutput](t)(orgs.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &cID,
		SourceParentId: &rootID, DestinationParentId: &team}))
	aAdmin := userIn(t, r.rootIAM(), "orgadmin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	admins := map[string]creds{}
	devIn := func(acct string) creds {
		s := assume(t, r, aAdmin, "arn:aws:iam::"+acct+":role/OrganizationAccountAccessRole")
		admins[acct] = s
		return userIn(t, r.iamAs(s), "dev", allowPCA)
	}
	cDev, dDev := devIn(cID), devIn(dID)
	eAcct, _, eDev := standalone(t, r, "e")

	aPCA, aRAM := r.pca(a), r.ram(a)
	ca := activeCA(t, aPCA)
	csr := leafCSR(t)
	ouARN := "arn:aws:organizations::" + mgmtAccount + ":ou/" + orgID + "/" + shared
	orgARN := "arn:aws:organizations::" + mgmtAccount + ":organization/" + orgID

	t.Run("organization principals need organization sharing", func(t *testing.T) {
		_, err := aRAM.CreateResourceShare(ctx, &ram.CreateResourceShareInput{Name: aws.String("early"), Principals: []string{orgARN}})
		apiError(t, err, "UnknownResourceException")
		_, err = aRAM.CreateResourceShare(ctx, &ram.CreateResourceShareInput{Name: aws.String("early"), Principals: []string{orgARN},
			AllowExternalPrincipals: aws.Bool(false)})
		apiError(t, err, "OperationNotPermittedException")
		_, err = aRAM.CreateResourceShare(ctx, &ram.CreateResourceShareInput{Name: aws.String("early"), Principals: []string{orgID}})
		apiError(t, err, "InvalidParameterException")
		_, err = r.ram(admins[cID]).EnableSharingWithAwsOrganization(ctx, &ram.EnableSharingWithAwsOrganizationInput{})
		apiError(t, err, "OperationNotPermittedException")
	})
	out := must[*ram.EnableSharingWithAwsOrganizationOutput](t)(aRAM.EnableSharingWithAwsOrganization(ctx, &ram.EnableSharingWithAwsOrganizationInput{}))
	if !*out.ReturnValue {
		t.Fatal("returnValue false")
	}
	t.Run("trusted access and the service-linked role", func(t *testing.T) {
		acc := must[*organizations.ListAWSServiceAccessForOrganizationOutput](t)(orgs.ListAWSServiceAccessForOrganization(ctx,
			&organizations.ListAWSServiceAccessForOrganizationInput{}))
		if !slices.ContainsFunc(acc.EnabledServicePrincipals, func(p orgtypes.EnabledServicePrincipal) bool { return *p.ServicePrincipal == "ram.amazonaws.com" }) {
			t.Fatalf("trusted access %+v", acc.EnabledServicePrincipals)
		}
		must[*iam.GetRoleOutput](t)(r.rootIAM().GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForResourceAccessManager")}))
	})

	t.Run("an OU that is not in the organization", func(t *testing.T) {
		_, err := aRAM.CreateResourceShare(ctx, &ram.CreateResourceShareInput{Name: aws.String("x"),
			Principals: []string{"arn:aws:organizations::" + mgmtAccount + ":ou/" + orgID + "/ou-" + rootID[2:] + "-zzzzzzzz"}})
		apiError(t, err, "UnknownResourceException")
	})
	ouShare := must[*ram.CreateResourceShareOutput](t)(aRAM.CreateResourceShare(ctx, &ram.CreateResourceShareInput{
		Name: aws.String("ou"), ResourceArns: []string{ca}, Principals: []string{ouARN}, AllowExternalPrincipals: aws.Bool(false)}))
	ouShareARN := *ouShare.ResourceShare.ResourceShareArn
	t.Run("row 9: OU share reaches a nested OU at once", func(t *testing.T) {
		if st := principalStatus(t, aRAM, ouShareARN, ouARN); st != ramtypes.ResourceShareAssociationStatusAssociated {
			t.Fatalf("OU principal %s", st)
		}
		inv := must[*ram.GetResourceShareInvitationsOutput](t)(r.ram(admins[cID]).GetResourceShareInvitations(ctx, &ram.GetResourceShareInvitationsInput{}))
		if len(inv.ResourceShareInvitations) != 0 {
			t.Fatalf("invitations %+v", inv.ResourceShareInvitations)
		}
		if _, err := issue(r.pca(cDev), ca, "", csr); err != nil {
			t.Fatal(err)
		}
		_, err := issue(r.pca(dDev), ca, "", csr)
		wantDenied(t, err, "because no resource-based policy allows")
		if got := otherAccountsCAs(t, r.pca(cDev)); !slices.Equal(got, []string{ca}) {
			t.Fatalf("C's OTHER_ACCOUNTS %v", got)
		}
		pol := must[*ram.GetResourcePoliciesOutput](t)(aRAM.GetResourcePolicies(ctx, &ram.GetResourcePoliciesInput{ResourceArns: []string{ca}})).Policies[0]
		if !strings.Contains(pol, `"aws:PrincipalOrgPaths":"`+orgID+`/*/`+shared+`/*"`) || !strings.Contains(pol, `"Principal":"*"`) {
			t.Fatalf("policy %s", pol)
		}
	})
	t.Run("row 9: MoveAccount out of the OU removes access", func(t *testing.T) {
		must[*organizations.MoveAccountOutput](t)(orgs.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &cID,
			SourceParentId: &team, DestinationParentId: &rootID}))
		_, err := issue(r.pca(cDev), ca, "", csr)
		wantDenied(t, err, "because no resource-based policy allows")
		if got := otherAccountsCAs(t, r.pca(cDev)); len(got) != 0 {
			t.Fatalf("C still lists %v", got)
		}
	})
	t.Run("organization share and outside accounts", func(t *testing.T) {
		must[*ram.AssociateResourceShareOutput](t)(aRAM.AssociateResourceShare(ctx, &ram.AssociateResourceShareInput{
			ResourceShareArn: &ouShareARN, Principals: []string{orgARN}}))
		for name, c := range map[string]creds{"C": cDev, "D": dDev} {
			if _, err := issue(r.pca(c), ca, "", csr); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		_, err := issue(r.pca(eDev), ca, "", csr)
		wantDenied(t, err, "because no resource-based policy allows")
		_, err = aRAM.AssociateResourceShare(ctx, &ram.AssociateResourceShareInput{ResourceShareArn: &ouShareARN, Principals: []string{eAcct}})
		msg := apiError(t, err, "InvalidParameterException")
		if !strings.Contains(msg, "is not in your AWS organization") {
			t.Fatalf("message %q", msg)
		}
	})
	t.Run("member account shares follow membership unless retained", func(t *testing.T) {
		// Only the account shares remain: the organization-wide one goes.
		must[*ram.DeleteResourceShareOutput](t)(aRAM.DeleteResourceShare(ctx, &ram.DeleteResourceShareInput{ResourceShareArn: &ouShareARN}))
		s := must[*ram.CreateResourceShareOutput](t)(aRAM.CreateResourceShare(ctx, &ram.CreateResourceShareInput{
			Name: aws.String("d"), ResourceArns: []string{ca}, Principals: []string{dID}}))
		if st := principalStatus(t, aRAM, *s.ResourceShare.ResourceShareArn, dID); st != ramtypes.ResourceShareAssociationStatusAssociated {
			t.Fatalf("member principal %s", st)
		}
		must[*ram.CreateResourceShareOutput](t)(aRAM.CreateResourceShare(ctx, &ram.CreateResourceShareInput{
			Name: aws.String("c"), ResourceArns: []string{ca}, Principals: []string{cID},
			ResourceShareConfiguration: &ramtypes.ResourceShareConfiguration{RetainSharingOnAccountLeaveOrganization: aws.Bool(true)}}))
		for name, c := range map[string]creds{"C": cDev, "D": dDev} {
			if _, err := issue(r.pca(c), ca, "", csr); err != nil {
				t.Fatalf("%s before leaving: %v", name, err)
			}
		}
		for _, id := range []string{cID, dID} {
			must[*organizations.RemoveAccountFromOrganizationOutput](t)(orgs.RemoveAccountFromOrganization(ctx,
				&organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(id)}))
		}
		_, err := issue(r.pca(dDev), ca, "", csr)
		wantDenied(t, err, "because no resource-based policy allows")
		if got := otherAccountsCAs(t, r.pca(dDev)); len(got) != 0 {
			t.Fatalf("D still lists %v", got)
		}
		if _, err := issue(r.pca(cDev), ca, "", csr); err != nil {
			t.Fatalf("C with retainSharingOnAccountLeaveOrganization: %v", err)
		}
		if got := otherAccountsCAs(t, r.pca(cDev)); !slices.Equal(got, []string{ca}) {
			t.Fatalf("C lists %v", got)
		}
	})
}
