package ram

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/org"
	"github.com/openpca/openpca/internal/store/storetest"
)

// Hand-written fakes for the services RAM talks to.
type noIdentity struct{}

func (noIdentity) IdentityPolicies(context.Context, *authz.Principal) ([]authz.Policy, error) {
	return nil, nil
}

type fakeCAs struct{ owners, policies map[string]string }

func (f *fakeCAs) CAOwner(_ context.Context, arn string) (string, bool, error) {
	o, ok := f.owners[arn]
	return o, ok, nil
}
func (f *fakeCAs) SetSharedPolicy(_ context.Context, _ *sql.Tx, arn, doc string) error {
	f.policies[arn] = doc
	return nil
}
func (f *fakeCAs) StoredPolicy(_ context.Context, arn string) (string, bool, error) {
	d, ok := f.policies[arn]
	return d, ok && d != "", nil
}
func (f *fakeCAs) PolicyChanged(string)                                     {}
func (f *fakeCAs) ShowPolicy(_ context.Context, doc string) (string, error) { return doc, nil }
func (f *fakeCAs) PrincipalIDs(context.Context, []string) (map[string]string, error) {
	return nil, nil
}

type noOrgs struct{}

func (noOrgs) Membership(context.Context, string) (*org.Membership, error)        { return nil, nil }
func (noOrgs) ServiceAccessEnabled(context.Context, string, string) (bool, error) { return false, nil }
func (noOrgs) UnitExists(context.Context, string, string) (bool, error)           { return false, nil }

func root(acct, region string) *authz.Caller {
	return &authz.Caller{Principal: authz.Principal{Type: authz.TypeAccount, AccountID: acct, ARN: "arn:aws:iam::" + acct + ":root",
		PrincipalARN: "arn:aws:iam::" + acct + ":root", UserID: acct}, Region: region}
}

func kindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// TestRegions: shares live in the request's region, with the region's
// partition in their ARNs, and are invisible from other regions.
func TestRegions(t *testing.T) {
	ctx := context.Background()
	db, err := storetest.OpenDir(ctx, t, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clk := clock.NewFake(time.Unix(1772366400, 0))
	cas := &fakeCAs{owners: map[string]string{}, policies: map[string]string{}}
	ca := "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/0b1f0000-0000-4000-8000-000000000000"
	cas.owners[ca] = "111122223333"
	s := New(Deps{DB: db, Engine: authz.New(noIdentity{}, nil, clk), Clock: clk, CAs: cas, Orgs: noOrgs{}})
	us, eu := root("111122223333", "us-east-1"), root("111122223333", "eu-west-1")

	out, err := s.CreateResourceShare(ctx, us, &CreateResourceShareInput{Name: "s", ResourceArns: []string{ca}, Principals: []string{"222233334444"}})
	if err != nil {
		t.Fatal(err)
	}
	arn := out.ResourceShare.ResourceShareArn
	if !strings.HasPrefix(arn, "arn:aws:ram:us-east-1:111122223333:resource-share/") {
		t.Fatalf("share ARN %s", arn)
	}
	if got, err := s.GetResourceShares(ctx, eu, &GetResourceSharesInput{ResourceOwner: "SELF"}); err != nil || len(got.ResourceShares) != 0 {
		t.Fatalf("eu-west-1 sees %+v %v", got, err)
	}
	if _, err := s.AssociateResourceShare(ctx, eu, &AssociateResourceShareInput{ResourceShareArn: arn, Principals: []string{"333344445555"}}); kindOf(err) != UnknownResource {
		t.Fatalf("associate from eu-west-1: %v", err)
	}
	if _, err := s.CreateResourceShare(ctx, eu, &CreateResourceShareInput{Name: "x", ResourceArns: []string{ca}}); kindOf(err) != UnknownResource {
		t.Fatalf("sharing a us-east-1 CA from eu-west-1: %v", err)
	}
	inv, err := s.GetResourceShareInvitations(ctx, root("222233334444", "eu-west-1"), &GetResourceShareInvitationsInput{})
	if err != nil || len(inv.ResourceShareInvitations) != 0 {
		t.Fatalf("invitation seen from eu-west-1: %+v %v", inv, err)
	}
	inv, err = s.GetResourceShareInvitations(ctx, root("222233334444", "us-east-1"), &GetResourceShareInvitationsInput{})
	if err != nil || len(inv.ResourceShareInvitations) != 1 ||
		!strings.HasPrefix(inv.ResourceShareInvitations[0].ResourceShareInvitationArn, "arn:aws:ram:us-east-1:111122223333:resource-share-invitation/") {
		t.Fatalf("invitation in us-east-1: %+v %v", inv, err)
	}
	cn, err := s.CreateResourceShare(ctx, root("111122223333", "cn-north-1"), &CreateResourceShareInput{Name: "cn"})
	if err != nil || !strings.HasPrefix(cn.ResourceShare.ResourceShareArn, "arn:aws-cn:ram:cn-north-1:111122223333:resource-share/") {
		t.Fatalf("cn-north-1 share %+v %v", cn, err)
	}
}
