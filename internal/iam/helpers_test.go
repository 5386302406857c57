package iam

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/store"
	"github.com/openpca/openpca/internal/store/storetest"
)

const (
	acctA = "111122223333"
	acctB = "444455556666"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type testEnv struct {
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	st    *Store
	svc   *Service
	eng   *authz.Engine
	clk   *clock.Fake
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
	raw := make([]byte, 32)
	for i := range raw {
		raw[i] = byte(i + 1)
	}
	mk, err := keystore.NewMasterKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(t0)
	st := NewStore(db, mk, clk, Config{})
	eng := authz.New(st, nil, clk)
	e := &testEnv{t: t, ctx: ctx, db: db, st: st, svc: New(st, eng), eng: eng, clk: clk, roots: map[string]*authz.Caller{}}
	for _, a := range []string{acctA, acctB} {
		out, err := st.CreateAccount(ctx, AccountSpec{ID: a})
		if err != nil {
			t.Fatal(err)
		}
		e.roots[a] = e.caller(out.RootAccessKeyID)
	}
	return e
}

// caller resolves an access key into the caller that signs with it.
func (e *testEnv) caller(keyID string) *authz.Caller {
	e.t.Helper()
	rk, err := e.st.LookupCredential(e.ctx, keyID)
	if err != nil || rk == nil {
		e.t.Fatalf("LookupCredential(%s) = %v, %v", keyID, rk, err)
	}
	return &authz.Caller{Principal: rk.Principal, AccessKeyID: keyID}
}

// user creates a user in acct with an optional inline policy and returns
// the caller signing with a fresh key of it.
func (e *testEnv) user(acct, name, policyDoc string) *authz.Caller {
	e.t.Helper()
	root := e.roots[acct]
	must(e.svc.CreateUser(e.ctx, root, &CreateUserInput{UserName: name}))
	if policyDoc != "" {
		must(e.svc.PutUserPolicy(e.ctx, root, &PutUserPolicyInput{UserName: name, PolicyName: "p", PolicyDocument: policyDoc}))
	}
	k := must(e.svc.CreateAccessKey(e.ctx, root, &CreateAccessKeyInput{UserName: name}))
	return e.caller(k.AccessKey.AccessKeyId)
}

// must returns v, panicking (and so failing the test) on a setup error.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// wantErr checks err against an expected kind; kind 0 means success and
// kind -1 means an authorization denial.
func wantErr(t *testing.T, err error, kind ErrorKind) {
	t.Helper()
	switch {
	case kind == 0 && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case kind == 0:
	case kind == denial:
		var d *authz.DeniedError
		if !errors.As(err, &d) {
			t.Fatalf("error = %v, want an authorization denial", err)
		}
	case KindOf(err) != kind:
		t.Fatalf("error = %v, want kind %v", err, kind)
	}
}

const denial ErrorKind = -1

func allowDoc(action, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}]}`
}
