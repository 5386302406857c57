package integration

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"

	iamstore "github.com/openpca/openpca/internal/iam"
)

func (r *rig) ram(c creds) *ram.Client {
	return ram.NewFromConfig(r.awsConfig(c.key, c.secret, c.token))
}

// skewed returns clients that learn the fake clock's offset from the
// server's Date header (the SDK's clock-skew retry) after the clock moved.
func (r *rig) skewed(c creds) (*ram.Client, *acmpca.Client) {
	cfg := r.awsConfig(c.key, c.secret, c.token)
	cfg.RetryMaxAttempts = 3
	return ram.NewFromConfig(cfg), acmpca.NewFromConfig(cfg)
}

const revokePerm = "arn:aws:ram::aws:permission/AWSRAMRevokeCertificateCertificateAuthority"

// standalone creates an account outside any organization with a PCA user.
func standalone(t *testing.T, r *rig, name string) (acct string, root, dev creds) {
	t.Helper()
	a, err := r.app.IAMStore.CreateAccount(context.Background(), iamstore.AccountSpec{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	root = creds{key: a.RootAccessKeyID, secret: a.RootSecretAccessKey}
	return a.AccountID, root, userIn(t, r.iamAs(root), "dev", allowPCA)
}

func pendingInvitation(t *testing.T, c *ram.Client, share string) ramtypes.ResourceShareInvitation {
	t.Helper()
	out := must[*ram.GetResourceShareInvitationsOutput](t)(c.GetResourceShareInvitations(context.Background(),
		&ram.GetResourceShareInvitationsInput{ResourceShareArns: []string{share}}))
	for _, inv := range out.ResourceShareInvitations {
		if inv.Status == ramtypes.ResourceShareInvitationStatusPending {
			return inv
		}
	}
	t.Fatalf("no pending invitation for %s in %+v", share, out.ResourceShareInvitations)
	return ramtypes.ResourceShareInvitation{}
}

func principalStatus(t *testing.T, c *ram.Client, share, principal string) ramtypes.ResourceShareAssociationStatus {
	t.Helper()
	out := must[*ram.GetResourceShareAssociationsOutput](t)(c.GetResourceShareAssociations(context.Background(),
		&ram.GetResourceShareAssociationsInput{AssociationType: ramtypes.ResourceShareAssociationTypePrincipal,
			ResourceShareArns: []string{share}, Principal: &principal}))
	if len(out.ResourceShareAssociations) != 1 {
		t.Fatalf("associations %+v", out.ResourceShareAssociations)
	}
	return out.ResourceShareAssociations[0].Status
}

func otherAccountsCAs(t *testing.T, c *acmpca.Client) []string {
	t.Helper()
	out := must[*acmpca.ListCertificateAuthoritiesOutput](t)(c.ListCertificateAuthorities(context.Background(),
		&acmpca.ListCertificateAuthoritiesInput{ResourceOwner: pcatypes.ResourceOwnerOtherAccounts}))
	var arns []string
	for _, ca := range out.CertificateAuthorities {
		arns = append(arns, *ca.Arn)
	}
	return arns
}

// TestRAMExternalAccount plays §10b rows 10, 11, 12, 20 and 21 with an
// account outside the owner's organization.
func TestRAMExternalAccount(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	a := creds{key: mgmtKeyID, secret: mgmtSecret}
	aPCA, aRAM := r.pca(a), r.ram(a)
	ca := activeCA(t, aPCA)
	csr := leafCSR(t)
	eID, eRoot, eDev := standalone(t, r, "e")
	ePCA, eRAM := r.pca(eDev), r.ram(eRoot)

	share := must[*ram.CreateResourceShareOutput](t)(aRAM.CreateResourceShare(ctx, &ram.CreateResourceShareInput{
		Name: aws.String("pca-share"), ResourceArns: []string{ca}, Principals: []string{eID}, ClientToken: aws.String("tok-1")}))
	shareARN := *share.ResourceShare.ResourceShareArn
	if !strings.HasPrefix(shareARN, "arn:aws:ram:us-east-1:"+mgmtAccount+":resource-share/") || share.ResourceShare.Status != ramtypes.ResourceShareStatusActive ||
		!*share.ResourceShare.AllowExternalPrincipals || share.ResourceShare.FeatureSet != ramtypes.ResourceShareFeatureSetStandard {
		t.Fatalf("share %+v", share.ResourceShare)
	}
	t.Run("clientToken", func(t *testing.T) {
		again := must[*ram.CreateResourceShareOutput](t)(aRAM.CreateResourceShare(ctx, &ram.CreateResourceShareInput{
			Name: aws.String("pca-share"), ResourceArns: []string{ca}, Principals: []string{eID}, ClientToken: aws.String("tok-1")}))
		if *again.ResourceShare.ResourceShareArn != shareARN {
			t.Fatalf("retry made another share %s", *again.ResourceShare.ResourceShareArn)
		}
		_, err := aRAM.CreateResourceShare(ctx, &ram.CreateResourceShareInput{Name: aws.String("other"), ClientToken: aws.String("tok-1")})
		apiError(t, err, "IdempotentParameterMismatchException")
	})
	t.Run("row 10: before accept", func(t *testing.T) {
		if st := principalStatus(t, aRAM, shareARN, eID); st != ramtypes.ResourceShareAssociationStatusAssociating {
			t.Fatalf("principal %s", st)
		}
		_, err := issue(ePCA, ca, "", csr)
		wantDenied(t, err, "because no resource-based policy allows")
		if got := otherAccountsCAs(t, ePCA); len(got) != 0 {
			t.Fatalf("listed before accept: %v", got)
		}
	})
	inv := pendingInvitation(t, eRAM, shareARN)
	if *inv.SenderAccountId != mgmtAccount || *inv.ReceiverAccountId != eID || !strings.Contains(*inv.ResourceShareInvitationArn, ":"+mgmtAccount+":resource-share-invitation/") {
		t.Fatalf("invitation %+v", inv)
	}
	t.Run("only the receiver answers", func(t *testing.T) {
		_, err := aRAM.AcceptResourceShareInvitation(ctx, &ram.AcceptResourceShareInvitationInput{ResourceShareInvitationArn: inv.ResourceShareInvitationArn})
		apiError(t, err, "OperationNotPermittedException")
		pend := must[*ram.ListPendingInvitationResourcesOutput](t)(eRAM.ListPendingInvitationResources(ctx,
			&ram.ListPendingInvitationResourcesInput{ResourceShareInvitationArn: inv.ResourceShareInvitationArn}))
		if len(pend.Resources) != 1 || *pend.Resources[0].Arn != ca || *pend.Resources[0].Type != "acm-pca:CertificateAuthority" {
			t.Fatalf("pending resources %+v", pend.Resources)
		}
	})
	must[*ram.AcceptResourceShareInvitationOutput](t)(eRAM.AcceptResourceShareInvitation(ctx,
		&ram.AcceptResourceShareInvitationInput{ResourceShareInvitationArn: inv.ResourceShareInvitationArn}))
	t.Run("row 10: after accept", func(t *testing.T) {
		if st := principalStatus(t, aRAM, shareARN, eID); st != ramtypes.ResourceShareAssociationStatusAssociated {
			t.Fatalf("principal %s", st)
		}
		if _, err := issue(ePCA, ca, "", csr); err != nil {
			t.Fatal(err)
		}
		_, err := issue(ePCA, ca, "arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0/V1", csr)
		wantDenied(t, err, "because no resource-based policy allows")
		_, err = eRAM.AcceptResourceShareInvitation(ctx, &ram.AcceptResourceShareInvitationInput{ResourceShareInvitationArn: inv.ResourceShareInvitationArn})
		apiError(t, err, "ResourceShareInvitationAlreadyAcceptedException")
		// acm-pca GetPolicy and ram GetResourcePolicies agree.
		pol := must[*acmpca.GetPolicyOutput](t)(aPCA.GetPolicy(ctx, &acmpca.GetPolicyInput{ResourceArn: &ca}))
		rp := must[*ram.GetResourcePoliciesOutput](t)(aRAM.GetResourcePolicies(ctx, &ram.GetResourcePoliciesInput{ResourceArns: []string{ca}}))
		if len(rp.Policies) != 1 || rp.Policies[0] != *pol.Policy || !strings.Contains(*pol.Policy, `"arn:aws:iam::`+eID+`:root"`) {
			t.Fatalf("GetPolicy %s, GetResourcePolicies %v", *pol.Policy, rp.Policies)
		}
	})
	t.Run("row 21: recipients see what was shared", func(t *testing.T) {
		if got := otherAccountsCAs(t, ePCA); !slices.Equal(got, []string{ca}) {
			t.Fatalf("OTHER_ACCOUNTS %v", got)
		}
		shs := must[*ram.GetResourceSharesOutput](t)(eRAM.GetResourceShares(ctx, &ram.GetResourceSharesInput{ResourceOwner: ramtypes.ResourceOwnerOtherAccounts}))
		if len(shs.ResourceShares) != 1 || *shs.ResourceShares[0].ResourceShareArn != shareARN {
			t.Fatalf("GetResourceShares OTHER-ACCOUNTS %+v", shs.ResourceShares)
		}
		res := must[*ram.ListResourcesOutput](t)(eRAM.ListResources(ctx, &ram.ListResourcesInput{ResourceOwner: ramtypes.ResourceOwnerOtherAccounts}))
		if len(res.Resources) != 1 || *res.Resources[0].Arn != ca {
			t.Fatalf("ListResources OTHER-ACCOUNTS %+v", res.Resources)
		}
		_, err := eRAM.DisassociateResourceShare(ctx, &ram.DisassociateResourceShareInput{ResourceShareArn: &shareARN, Principals: []string{eID}})
		apiError(t, err, "OperationNotPermittedException")
	})
	t.Run("row 20: a second share with the revoke permission", func(t *testing.T) {
		cert, err := issue(ePCA, ca, "", csr)
		if err != nil {
			t.Fatal(err)
		}
		serial := cert[strings.LastIndex(cert, "/")+1:]
		revoke := func() error {
			_, err := ePCA.RevokeCertificate(ctx, &acmpca.RevokeCertificateInput{CertificateAuthorityArn: &ca,
				CertificateSerial: &serial, RevocationReason: pcatypes.RevocationReasonKeyCompromise})
			return err
		}
		wantDenied(t, revoke(), "acm-pca:RevokeCertificate")
		rs := must[*ram.CreateResourceShareOutput](t)(aRAM.CreateResourceShare(ctx, &ram.CreateResourceShareInput{
			Name: aws.String("revoke"), ResourceArns: []string{ca}, Principals: []string{eID}, PermissionArns: []string{revokePerm}}))
		inv2 := pendingInvitation(t, eRAM, *rs.ResourceShare.ResourceShareArn)
		must[*ram.AcceptResourceShareInvitationOutput](t)(eRAM.AcceptResourceShareInvitation(ctx,
			&ram.AcceptResourceShareInvitationInput{ResourceShareInvitationArn: inv2.ResourceShareInvitationArn}))
		if err := revoke(); err != nil {
			t.Fatal(err)
		}
		perms := must[*ram.ListResourceSharePermissionsOutput](t)(aRAM.ListResourceSharePermissions(ctx,
			&ram.ListResourceSharePermissionsInput{ResourceShareArn: rs.ResourceShare.ResourceShareArn}))
		if len(perms.Permissions) != 1 || *perms.Permissions[0].Arn != revokePerm {
			t.Fatalf("permissions %+v", perms.Permissions)
		}
		must[*ram.DeleteResourceShareOutput](t)(aRAM.DeleteResourceShare(ctx, &ram.DeleteResourceShareInput{ResourceShareArn: rs.ResourceShare.ResourceShareArn}))
	})
	t.Run("row 11: disassociation removes the statement", func(t *testing.T) {
		must[*ram.DisassociateResourceShareOutput](t)(aRAM.DisassociateResourceShare(ctx, &ram.DisassociateResourceShareInput{
			ResourceShareArn: &shareARN, Principals: []string{eID}}))
		_, err := issue(ePCA, ca, "", csr)
		wantDenied(t, err, "because no resource-based policy allows")
		_, err = aPCA.GetPolicy(ctx, &acmpca.GetPolicyInput{ResourceArn: &ca})
		apiError(t, err, "ResourceNotFoundException")
		if got := otherAccountsCAs(t, ePCA); len(got) != 0 {
			t.Fatalf("still listed: %v", got)
		}
	})
	t.Run("row 10: reject", func(t *testing.T) {
		must[*ram.AssociateResourceShareOutput](t)(aRAM.AssociateResourceShare(ctx, &ram.AssociateResourceShareInput{
			ResourceShareArn: &shareARN, Principals: []string{eID}}))
		inv := pendingInvitation(t, eRAM, shareARN)
		must[*ram.RejectResourceShareInvitationOutput](t)(eRAM.RejectResourceShareInvitation(ctx,
			&ram.RejectResourceShareInvitationInput{ResourceShareInvitationArn: inv.ResourceShareInvitationArn}))
		_, err := issue(ePCA, ca, "", csr)
		wantDenied(t, err, "because no resource-based policy allows")
		_, err = eRAM.AcceptResourceShareInvitation(ctx, &ram.AcceptResourceShareInvitationInput{ResourceShareInvitationArn: inv.ResourceShareInvitationArn})
		apiError(t, err, "ResourceShareInvitationAlreadyRejectedException")
		if st := principalStatus(t, aRAM, shareARN, eID); st != ramtypes.ResourceShareAssociationStatusDisassociated {
			t.Fatalf("principal %s", st)
		}
	})
	t.Run("row 10: expiry", func(t *testing.T) {
		must[*ram.AssociateResourceShareOutput](t)(aRAM.AssociateResourceShare(ctx, &ram.AssociateResourceShareInput{
			ResourceShareArn: &shareARN, Principals: []string{eID}}))
		inv := pendingInvitation(t, eRAM, shareARN)
		r.clock.Advance(12*time.Hour + time.Second)
		eRAM, _ = r.skewed(eRoot)
		aRAM, aPCA = r.skewed(a)
		_, ePCA = r.skewed(eDev)
		_, err := eRAM.AcceptResourceShareInvitation(ctx, &ram.AcceptResourceShareInvitationInput{ResourceShareInvitationArn: inv.ResourceShareInvitationArn})
		apiError(t, err, "ResourceShareInvitationExpiredException")
		_, err = issue(ePCA, ca, "", csr)
		wantDenied(t, err, "because no resource-based policy allows")
		if st := principalStatus(t, aRAM, shareARN, eID); st != ramtypes.ResourceShareAssociationStatusDisassociated {
			t.Fatalf("principal %s", st)
		}
		// Answered invitations stay listed for about 7 days.
		r.clock.Advance(7*24*time.Hour + time.Minute)
		eRAM, _ = r.skewed(eRoot)
		aRAM, aPCA = r.skewed(a)
		_, ePCA = r.skewed(eDev)
		all := must[*ram.GetResourceShareInvitationsOutput](t)(eRAM.GetResourceShareInvitations(ctx, &ram.GetResourceShareInvitationsInput{}))
		if len(all.ResourceShareInvitations) != 0 {
			t.Fatalf("old invitations still listed: %+v", all.ResourceShareInvitations)
		}
	})
	t.Run("row 12: DeletePolicy removes the CA from its shares", func(t *testing.T) {
		must[*ram.AssociateResourceShareOutput](t)(aRAM.AssociateResourceShare(ctx, &ram.AssociateResourceShareInput{
			ResourceShareArn: &shareARN, Principals: []string{eID}}))
		inv := pendingInvitation(t, eRAM, shareARN)
		must[*ram.AcceptResourceShareInvitationOutput](t)(eRAM.AcceptResourceShareInvitation(ctx,
			&ram.AcceptResourceShareInvitationInput{ResourceShareInvitationArn: inv.ResourceShareInvitationArn}))
		if _, err := issue(ePCA, ca, "", csr); err != nil {
			t.Fatal(err)
		}
		must[*acmpca.DeletePolicyOutput](t)(aPCA.DeletePolicy(ctx, &acmpca.DeletePolicyInput{ResourceArn: &ca}))
		out := must[*ram.GetResourceShareAssociationsOutput](t)(aRAM.GetResourceShareAssociations(ctx, &ram.GetResourceShareAssociationsInput{
			AssociationType: ramtypes.ResourceShareAssociationTypeResource, ResourceArn: &ca}))
		for _, as := range out.ResourceShareAssociations {
			if as.Status != ramtypes.ResourceShareAssociationStatusDisassociated {
				t.Fatalf("CA still in %s: %s", *as.ResourceShareArn, as.Status)
			}
		}
		_, err := issue(ePCA, ca, "", csr)
		wantDenied(t, err, "because no resource-based policy allows")
	})
	t.Run("hand-written policy: CREATED_FROM_POLICY, owner only, promotable", func(t *testing.T) {
		putPolicy(t, aPCA, ca, accountShareDoc(ca, eID))
		shs := must[*ram.GetResourceSharesOutput](t)(aRAM.GetResourceShares(ctx, &ram.GetResourceSharesInput{ResourceOwner: ramtypes.ResourceOwnerSelf}))
		var cfp string
		for _, sh := range shs.ResourceShares {
			if sh.FeatureSet == ramtypes.ResourceShareFeatureSetCreatedFromPolicy && sh.Status == ramtypes.ResourceShareStatusActive {
				cfp = *sh.ResourceShareArn
			}
		}
		if cfp == "" {
			t.Fatalf("no CREATED_FROM_POLICY share in %+v", shs.ResourceShares)
		}
		if got := otherAccountsCAs(t, ePCA); len(got) != 0 {
			t.Fatalf("policy-only share listed: %v", got)
		}
		must[*ram.PromoteResourceShareCreatedFromPolicyOutput](t)(aRAM.PromoteResourceShareCreatedFromPolicy(ctx,
			&ram.PromoteResourceShareCreatedFromPolicyInput{ResourceShareArn: &cfp}))
		if got := otherAccountsCAs(t, ePCA); !slices.Equal(got, []string{ca}) {
			t.Fatalf("promoted share not listed: %v", got)
		}
		if _, err := issue(ePCA, ca, "", csr); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("errors", func(t *testing.T) {
		_, err := aRAM.CreateResourceShare(ctx, &ram.CreateResourceShareInput{Name: aws.String("x"), ResourceArns: []string{"not-an-arn"}})
		apiError(t, err, "MalformedArnException")
		_, err = aRAM.CreateResourceShare(ctx, &ram.CreateResourceShareInput{Name: aws.String("x"),
			ResourceArns: []string{strings.Replace(ca, ca[len(ca)-12:], "000000000000", 1)}})
		apiError(t, err, "UnknownResourceException")
		_, err = eRAM.CreateResourceShare(ctx, &ram.CreateResourceShareInput{Name: aws.String("reshare"), ResourceArns: []string{ca}})
		apiError(t, err, "UnknownResourceException")
		_, err = aRAM.CreateResourceShare(ctx, &ram.CreateResourceShareInput{Name: aws.String("x"), Principals: []string{eID},
			AllowExternalPrincipals: aws.Bool(false)})
		apiError(t, err, "InvalidParameterException")
		_, err = aRAM.GetResourceShares(ctx, &ram.GetResourceSharesInput{ResourceOwner: ramtypes.ResourceOwnerOtherAccounts,
			TagFilters: []ramtypes.TagFilter{{TagKey: aws.String("k")}}})
		apiError(t, err, "InvalidParameterException")
		_, err = aRAM.GetResourceShares(ctx, &ram.GetResourceSharesInput{ResourceOwner: ramtypes.ResourceOwnerSelf, NextToken: aws.String("bogus")})
		apiError(t, err, "InvalidNextTokenException")
		_, err = aRAM.GetPermission(ctx, &ram.GetPermissionInput{PermissionArn: aws.String("arn:aws:ram::aws:permission/Nope")})
		apiError(t, err, "UnknownResourceException")
	})
}

// TestRAMPendingInvitationQuota: a sharing account may have 20 pending
// invitations; answering one frees a slot.
func TestRAMPendingInvitationQuota(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	aRAM := r.ram(creds{key: mgmtKeyID, secret: mgmtSecret})
	share := must[*ram.CreateResourceShareOutput](t)(aRAM.CreateResourceShare(ctx, &ram.CreateResourceShareInput{Name: aws.String("q")}))
	arn := share.ResourceShare.ResourceShareArn
	var first creds
	for i := range 21 {
		a, err := r.app.IAMStore.CreateAccount(ctx, iamstore.AccountSpec{Name: "q" + string(rune('a'+i))})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = creds{key: a.RootAccessKeyID, secret: a.RootSecretAccessKey}
		}
		_, err = aRAM.AssociateResourceShare(ctx, &ram.AssociateResourceShareInput{ResourceShareArn: arn, Principals: []string{a.AccountID}})
		if i < 20 && err != nil {
			t.Fatalf("invitation %d: %v", i+1, err)
		}
		if i == 20 {
			apiError(t, err, "ResourceShareLimitExceededException")
			inv := pendingInvitation(t, r.ram(first), *arn)
			must[*ram.RejectResourceShareInvitationOutput](t)(r.ram(first).RejectResourceShareInvitation(ctx,
				&ram.RejectResourceShareInvitationInput{ResourceShareInvitationArn: inv.ResourceShareInvitationArn}))
			must[*ram.AssociateResourceShareOutput](t)(aRAM.AssociateResourceShare(ctx, &ram.AssociateResourceShareInput{ResourceShareArn: arn, Principals: []string{a.AccountID}}))
		}
	}
}
