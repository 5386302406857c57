package integration

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"
)

// TestRAMPolicyProperty applies random sequences of share operations and
// checks after each that the stored CA policy equals the policy derived
// from the associations, and that each recipient's IssueCertificate
// answer matches what the associations say.
func TestRAMPolicyProperty(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	r := newRig(t, "")
	ctx := context.Background()
	a := creds{key: mgmtKeyID, secret: mgmtSecret}
	aPCA, aRAM := r.pca(a), r.ram(a)
	ca := activeCA(t, aPCA)
	csr := leafCSR(t)
	type recipient struct {
		id        string
		ram       *ram.Client
		pca       *acmpca.Client
		principal string
	}
	var rs []recipient
	for _, n := range []string{"x", "y", "z"} {
		id, root, dev := standalone(t, r, n)
		rs = append(rs, recipient{id: id, ram: r.ram(root), pca: r.pca(dev), principal: id})
	}
	// y is shared by its user ARN, not its account.
	rs[1].principal = "arn:aws:iam::" + rs[1].id + ":user/dev"
	perms := []string{"", "arn:aws:ram::aws:permission/AWSRAMBlankEndEntityCertificateAPIPassthroughIssuanceCertificateAuthority"}
	var shares []string

	check := func(step int, what string) {
		t.Helper()
		derived, err := r.app.RAM.DerivedPolicy(ctx, "us-east-1", ca)
		if err != nil {
			t.Fatal(err)
		}
		stored := ""
		if out, err := aPCA.GetPolicy(ctx, &acmpca.GetPolicyInput{ResourceArn: &ca}); err == nil {
			stored = *out.Policy
		} else {
			apiError(t, err, "ResourceNotFoundException")
		}
		if stored != derived {
			t.Fatalf("step %d (%s): stored policy\n%s\nderived\n%s", step, what, stored, derived)
		}
		for _, rc := range rs {
			want := false
			for _, sh := range shares {
				perm := must[*ram.ListResourceSharePermissionsOutput](t)(aRAM.ListResourceSharePermissions(ctx,
					&ram.ListResourceSharePermissionsInput{ResourceShareArn: &sh}))
				if len(perm.Permissions) != 1 || *perm.Permissions[0].Arn != "arn:aws:ram::aws:permission/AWSRAMDefaultPermissionCertificateAuthority" {
					continue
				}
				as := must[*ram.GetResourceShareAssociationsOutput](t)(aRAM.GetResourceShareAssociations(ctx, &ram.GetResourceShareAssociationsInput{
					AssociationType: ramtypes.ResourceShareAssociationTypePrincipal, ResourceShareArns: []string{sh}, Principal: &rc.principal}))
				if len(as.ResourceShareAssociations) == 1 && as.ResourceShareAssociations[0].Status == ramtypes.ResourceShareAssociationStatusAssociated {
					want = true
				}
			}
			_, err := issue(rc.pca, ca, "", csr)
			if got := err == nil; got != want {
				t.Fatalf("step %d (%s): %s may issue: %v, associations say %v (%v)", step, what, rc.principal, got, want, err)
			}
		}
	}
	for step := range 40 {
		rc := rs[rng.IntN(len(rs))]
		var what string
		switch op := rng.IntN(7); {
		case op == 0 || len(shares) == 0:
			what = "create"
			in := &ram.CreateResourceShareInput{Name: aws.String("s"), ResourceArns: []string{ca}, Principals: []string{rc.principal}}
			if p := perms[rng.IntN(2)]; p != "" {
				in.PermissionArns = []string{p}
			}
			out := must[*ram.CreateResourceShareOutput](t)(aRAM.CreateResourceShare(ctx, in))
			shares = append(shares, *out.ResourceShare.ResourceShareArn)
		case op == 1:
			what = "associate " + rc.principal
			sh := shares[rng.IntN(len(shares))]
			must[*ram.AssociateResourceShareOutput](t)(aRAM.AssociateResourceShare(ctx, &ram.AssociateResourceShareInput{ResourceShareArn: &sh, Principals: []string{rc.principal}}))
		case op == 2:
			what = "disassociate " + rc.principal
			sh := shares[rng.IntN(len(shares))]
			_, _ = aRAM.DisassociateResourceShare(ctx, &ram.DisassociateResourceShareInput{ResourceShareArn: &sh, Principals: []string{rc.principal}})
		case op == 3 || op == 4:
			what = "answer invitations of " + rc.id
			inv := must[*ram.GetResourceShareInvitationsOutput](t)(rc.ram.GetResourceShareInvitations(ctx, &ram.GetResourceShareInvitationsInput{}))
			for _, i := range inv.ResourceShareInvitations {
				if i.Status != ramtypes.ResourceShareInvitationStatusPending {
					continue
				}
				if op == 3 {
					must[*ram.AcceptResourceShareInvitationOutput](t)(rc.ram.AcceptResourceShareInvitation(ctx, &ram.AcceptResourceShareInvitationInput{ResourceShareInvitationArn: i.ResourceShareInvitationArn}))
				} else {
					must[*ram.RejectResourceShareInvitationOutput](t)(rc.ram.RejectResourceShareInvitation(ctx, &ram.RejectResourceShareInvitationInput{ResourceShareInvitationArn: i.ResourceShareInvitationArn}))
				}
			}
		case op == 5:
			what = "delete"
			i := rng.IntN(len(shares))
			must[*ram.DeleteResourceShareOutput](t)(aRAM.DeleteResourceShare(ctx, &ram.DeleteResourceShareInput{ResourceShareArn: &shares[i]}))
			shares = slices.Delete(shares, i, i+1)
		case op == 6:
			what = "replace permission"
			sh := shares[rng.IntN(len(shares))]
			p := perms[1]
			if rng.IntN(2) == 0 {
				p = "arn:aws:ram::aws:permission/AWSRAMDefaultPermissionCertificateAuthority"
			}
			must[*ram.AssociateResourceSharePermissionOutput](t)(aRAM.AssociateResourceSharePermission(ctx, &ram.AssociateResourceSharePermissionInput{
				ResourceShareArn: &sh, PermissionArn: &p, Replace: aws.Bool(true)}))
		}
		check(step, what)
	}
}

// TestRAMConcurrentAssociations: concurrent associate and disassociate
// calls on shares of one CA leave the policy equal to what the
// associations say.
func TestRAMConcurrentAssociations(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	a := creds{key: mgmtKeyID, secret: mgmtSecret}
	aPCA, aRAM := r.pca(a), r.ram(a)
	ca := activeCA(t, aPCA)
	var shares []string
	for range 3 {
		out := must[*ram.CreateResourceShareOutput](t)(aRAM.CreateResourceShare(ctx, &ram.CreateResourceShareInput{
			Name: aws.String("c"), ResourceArns: []string{ca}}))
		shares = append(shares, *out.ResourceShare.ResourceShareArn)
	}
	// The owner's own account and its users are associated at once.
	principals := []string{mgmtAccount, "arn:aws:iam::" + mgmtAccount + ":user/u1", "arn:aws:iam::" + mgmtAccount + ":role/r1"}
	churnAssociations(t, []*ram.Client{aRAM}, shares, principals, 10, func(w int) *rand.Rand { return rand.New(rand.NewPCG(uint64(w), 1)) })
	derived, err := r.app.RAM.DerivedPolicy(ctx, "us-east-1", ca)
	if err != nil {
		t.Fatal(err)
	}
	stored := ""
	if out, err := aPCA.GetPolicy(ctx, &acmpca.GetPolicyInput{ResourceArn: &ca}); err == nil {
		stored = *out.Policy
	}
	if stored != derived {
		t.Fatalf("stored\n%s\nderived\n%s", stored, derived)
	}
}

// churnAssociations runs 8 workers, each making rounds random
// AssociateResourceShare or DisassociateResourceShare calls (through
// clients[worker % len(clients)], on a random share and principal), and
// fails the test on any error but disassociating what is not associated
// at that moment.
func churnAssociations(t *testing.T, clients []*ram.Client, shares, principals []string, rounds int, rng func(worker int) *rand.Rand) {
	t.Helper()
	ctx := context.Background()
	errs := make(chan error, 64)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			c, r := clients[w%len(clients)], rng(w)
			for range rounds {
				sh := shares[r.IntN(len(shares))]
				p := principals[r.IntN(len(principals))]
				var err error
				if r.IntN(2) == 0 {
					_, err = c.AssociateResourceShare(ctx, &ram.AssociateResourceShareInput{ResourceShareArn: &sh, Principals: []string{p}})
				} else {
					_, err = c.DisassociateResourceShare(ctx, &ram.DisassociateResourceShareInput{ResourceShareArn: &sh, Principals: []string{p}})
					if err != nil && strings.Contains(err.Error(), "UnknownResourceException") {
						err = nil // not associated at that moment
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
