package tlsca

import (
	"bytes"
	"context"
	"crypto/x509"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/store/storetest"
)

func testKey(t *testing.T, b byte) *keystore.MasterKey {
	t.Helper()
	k, err := keystore.NewMasterKey(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestAuthorityPersistsAndIssues(t *testing.T) {
	ctx := context.Background()
	db, err := storetest.OpenDir(ctx, t, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clk := clock.NewFake(time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC))
	mk := testKey(t, 1)
	ca, err := Open(ctx, db, mk, clk)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Open(ctx, db, mk, clk)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ca.BundlePEM(), again.BundlePEM()) {
		t.Fatal("a second open made another CA")
	}
	if _, err := Open(ctx, db, testKey(t, 2), clk); err == nil {
		t.Fatal("the CA key opened under another master key")
	}
	if !ca.Certificate().IsCA || ca.Certificate().NotAfter.Sub(clk.Now()) < CAValidity-time.Hour {
		t.Fatalf("CA certificate: IsCA %v NotAfter %v", ca.Certificate().IsCA, ca.Certificate().NotAfter)
	}

	srv, err := NewServer(ca, []string{"pca.example.internal", "localhost", "127.0.0.1", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Certificate())
	leaf := srv.Current().Leaf
	for _, name := range []string{"pca.example.internal", "localhost", "127.0.0.1", "::1"} {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: roots, CurrentTime: clk.Now(),
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
			t.Errorf("verify for %s: %v", name, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "other.example", Roots: roots, CurrentTime: clk.Now()}); err == nil {
		t.Error("certificate valid for a name it was not issued for")
	}

	// Renewal follows the injected clock: not before two thirds of the
	// validity, then a fresh certificate that outlives the old one.
	first := srv.Current()
	clk.Advance(LeafValidity - RenewBefore - time.Minute)
	if renewed, err := srv.RenewIfDue(); err != nil || renewed {
		t.Fatalf("renewed early: %v %v", renewed, err)
	}
	clk.Advance(2 * time.Minute)
	if renewed, err := srv.RenewIfDue(); err != nil || !renewed {
		t.Fatalf("not renewed when due: %v %v", renewed, err)
	}
	if got := srv.Current(); got == first || !got.Leaf.NotAfter.After(first.Leaf.NotAfter) {
		t.Fatal("renewal kept the old certificate")
	}
	if _, err := srv.Current().Leaf.Verify(x509.VerifyOptions{DNSName: "localhost", Roots: roots, CurrentTime: clk.Now()}); err != nil {
		t.Fatalf("renewed certificate: %v", err)
	}
}
