package integration

import (
	"context"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"
)

// Concurrent associate and disassociate calls for the member accounts of
// one CA's shares, spread over both servers, leave the CA policy (read
// through either server) equal to the policy derived from the
// associations, and each member may issue through either server exactly
// when one of its associations says so.
func TestSharedDatabaseRAMConcurrentAssociations(t *testing.T) {
	a, b := sharedPair(t)
	ctx := context.Background()
	root := creds{key: mgmtKeyID, secret: mgmtSecret}
	orgs := organizations.NewFromConfig(a.awsConfig(root.key, root.secret, ""))
	must[*organizations.CreateOrganizationOutput](t)(orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}))
	orgAdmin := userIn(t, a.rootIAM(), "orgadmin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	var members []string
	devs := map[string]creds{}
	for _, name := range []string{"m1", "m2", "m3", "m4"} {
		id := createMemberAccount(t, orgs, name)
		access := assume(t, a, orgAdmin, "arn:aws:iam::"+id+":role/OrganizationAccountAccessRole")
		members = append(members, id)
		devs[id] = userIn(t, a.iamAs(access), "dev", allowPCA)
	}
	rams := []*ram.Client{a.ram(root), b.ram(root)}
	must[*ram.EnableSharingWithAwsOrganizationOutput](t)(rams[0].EnableSharingWithAwsOrganization(ctx, &ram.EnableSharingWithAwsOrganizationInput{}))
	ca := activeCA(t, a.pca(root))
	var shares []string
	for i := range 3 {
		out := must[*ram.CreateResourceShareOutput](t)(rams[i%2].CreateResourceShare(ctx, &ram.CreateResourceShareInput{
			Name: aws.String("c"), ResourceArns: []string{ca}, AllowExternalPrincipals: aws.Bool(false)}))
		shares = append(shares, *out.ResourceShare.ResourceShareArn)
	}

	churnAssociations(t, rams, shares, members, 12, func(w int) *rand.Rand {
		return rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(w)))
	})

	check := func(phase string) map[string]bool {
		t.Helper()
		derived, err := a.app.RAM.DerivedPolicy(ctx, "us-east-1", ca)
		if err != nil {
			t.Fatal(err)
		}
		if d, err := b.app.RAM.DerivedPolicy(ctx, "us-east-1", ca); err != nil || d != derived {
			t.Fatalf(phase+": servers derive different policies (%v):\n%s\n%s", err, derived, d)
		}
		associated := map[string]bool{}
		for _, sh := range shares {
			as := must[*ram.GetResourceShareAssociationsOutput](t)(rams[1].GetResourceShareAssociations(ctx, &ram.GetResourceShareAssociationsInput{
				AssociationType: ramtypes.ResourceShareAssociationTypePrincipal, ResourceShareArns: []string{sh}}))
			for _, x := range as.ResourceShareAssociations {
				if x.Status == ramtypes.ResourceShareAssociationStatusAssociated {
					associated[*x.AssociatedEntity] = true
				}
			}
		}
		t.Logf("%s: associated %v", phase, associated)
		for i, r := range []*rig{a, b} {
			stored := ""
			if out, err := r.pca(root).GetPolicy(ctx, &acmpca.GetPolicyInput{ResourceArn: &ca}); err == nil {
				stored = *out.Policy
			} else {
				apiError(t, err, "ResourceNotFoundException")
			}
			if stored != derived {
				t.Fatalf(phase+": server %d: stored policy\n%s\nderived\n%s", i, stored, derived)
			}
			for _, m := range members {
				_, err := issue(r.pca(devs[m]), ca, "", leafCSR(t))
				if got := err == nil; got != associated[m] {
					t.Fatalf(phase+": server %d: member %s may issue: %v, associations say %v (%v)", i, m, got, associated[m], err)
				}
			}
		}
		return associated
	}
	check("after the random race")

	// Then, at once on both servers: the last two members leave every
	// share while the first joins them all, so that both answers occur.
	var wg2 sync.WaitGroup
	for i, sh := range shares {
		for j, m := range members {
			wg2.Go(func() {
				c := rams[(i+j)%2]
				var err error
				switch {
				case j == 0:
					_, err = c.AssociateResourceShare(ctx, &ram.AssociateResourceShareInput{ResourceShareArn: &sh, Principals: []string{m}})
				case j >= 2:
					_, err = c.DisassociateResourceShare(ctx, &ram.DisassociateResourceShareInput{ResourceShareArn: &sh, Principals: []string{m}})
					if err != nil && strings.Contains(err.Error(), "UnknownResourceException") {
						err = nil
					}
				}
				if err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg2.Wait()
	if got := check("after the last two members left"); !got[members[0]] || got[members[2]] || got[members[3]] {
		t.Fatalf("associations after the second phase: %v", got)
	}
}
