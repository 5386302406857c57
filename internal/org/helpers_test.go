package org

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/iam"
	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/store"
	"github.com/openpca/openpca/internal/store/storetest"
)

const (
	acctM = "111122223333" // management
	acctB = "444455556666" // invited member
	acctS = "777788889999" // standalone
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type testEnv struct {
	t     *testing.T
	ctx   context.Context
	clk   *clock.Fake
	db    *store.DB
	iam   *iam.Store
	st    *Store
	svc   *Service
	eng   *authz.Engine
	roots map[string]*authz.Caller
}

func newEnv(t *testing.T) *testEnv {
	t.Helper()
	ctx := context.Background()
	db, err := storetest.OpenDir(ctx, t, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	mk, err := keystore.NewMasterKey(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(t0)
	iamStore := iam.NewStore(db, mk, clk, iam.Config{})
	st := NewStore(db, clk, Config{})
	eng := authz.New(iamStore, st, clk)
	e := &testEnv{t: t, ctx: ctx, clk: clk, db: db, iam: iamStore, st: st, svc: New(st, iamStore, eng), eng: eng, roots: map[string]*authz.Caller{}}
	for _, a := range []string{acctM, acctB, acctS} {
		out, err := iamStore.CreateAccount(ctx, iam.AccountSpec{ID: a, Name: "acct-" + a, Email: a + "@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		rk, err := iamStore.LookupCredential(ctx, out.RootAccessKeyID)
		if err != nil || rk == nil {
			t.Fatalf("LookupCredential: %v", err)
		}
		e.roots[a] = &authz.Caller{Principal: rk.Principal}
	}
	return e
}

// org is a small tree: root/A/B, the management account under the root and
// acctB (invited) under B.
type fixture struct {
	org, root, a, b string
}

func (e *testEnv) build() *fixture {
	e.t.Helper()
	m := e.roots[acctM]
	o := must(e.svc.CreateOrganization(e.ctx, m, &CreateOrganizationInput{}))
	f := &fixture{org: o.Organization.Id, root: must(e.svc.ListRoots(e.ctx, m, &ListInput{})).Roots[0].Id}
	f.a = must(e.svc.CreateOrganizationalUnit(e.ctx, m, &CreateOrganizationalUnitInput{ParentId: f.root, Name: "A"})).OrganizationalUnit.Id
	f.b = must(e.svc.CreateOrganizationalUnit(e.ctx, m, &CreateOrganizationalUnitInput{ParentId: f.a, Name: "B"})).OrganizationalUnit.Id
	h := must(e.svc.InviteAccountToOrganization(e.ctx, m, &InviteAccountToOrganizationInput{Target: &HandshakeParty{Id: acctB, Type: "ACCOUNT"}}))
	must(e.svc.AcceptHandshake(e.ctx, e.roots[acctB], &HandshakeIdInput{HandshakeId: h.Handshake.Id}))
	must(e.svc.MoveAccount(e.ctx, m, &MoveAccountInput{AccountId: acctB, SourceParentId: f.root, DestinationParentId: f.b}))
	return f
}

// must returns v, panicking (and so failing the test) on a setup error.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// wantKind checks err against an expected kind (0: success) and reason.
func wantKind(t *testing.T, err error, kind ErrorKind, reason string) {
	t.Helper()
	if kind == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) || e.Kind != kind {
		t.Fatalf("error = %v, want kind %d", err, kind)
	}
	if e.Reason != reason {
		t.Fatalf("reason = %q, want %q", e.Reason, reason)
	}
}
