package pca

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/openpca/openpca/internal/pki"
)

// GetCertificate from the recent-certificates cache answers exactly what
// the row gives, and still checks the caller and the CA's state first.
func TestRecentCertsSameAnswerSameChecks(t *testing.T) {
	e := newEnv(t, Config{})
	root := e.activeRoot(pki.ECPrime256v1, 10)
	leaf, err := e.issue(root, leafCSR(t, "leaf.example.com"), pki.ECPrime256v1, "", days(30))
	if err != nil {
		t.Fatal(err)
	}
	serial := leaf[strings.LastIndex(leaf, "/")+1:]
	if !recentHas(&e.svc.recent, serial) {
		t.Fatal("an issued certificate is not in the cache")
	}
	cached := e.get(root, leaf)
	e.svc.recent = recentCerts{} // as after a restart: from the row
	fresh := e.get(root, leaf)
	if cached.Certificate != fresh.Certificate || cached.CertificateChain != fresh.CertificateChain || fresh.CertificateChain == "" {
		t.Fatalf("cached %+v, from the row %+v", cached, fresh)
	}

	// Another account without a policy is denied although the body is cached.
	other := userCaller("444455556666", "dev")
	if _, err := e.svc.GetCertificate(bg, other, &GetCertificateInput{CertificateAuthorityArn: root, CertificateArn: leaf}); err == nil {
		t.Fatal("another account read a cached certificate")
	}
	setStatus(t, e.svc, root, statusDisabled)
	if _, err := e.svc.DeleteCertificateAuthority(bg, rootCaller(acct), &DeleteCertificateAuthorityInput{CertificateAuthorityArn: root}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.GetCertificate(bg, rootCaller(acct), &GetCertificateInput{CertificateAuthorityArn: root, CertificateArn: leaf}); !errors.Is(err, ErrInvalidState) {
		t.Fatalf("deleted CA, cached certificate: %v", err)
	}
}

func recentHas(r *recentCerts, serial string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range r.m {
		if strings.HasSuffix(k, "/"+serial) {
			return true
		}
	}
	return false
}

func TestRecentCertsBounded(t *testing.T) {
	var r recentCerts
	for i := range recentCertsMax + 10 {
		r.add("ca", fmt.Sprint(i), []byte{1})
	}
	if len(r.m) > recentCertsMax {
		t.Fatalf("%d entries, bound %d", len(r.m), recentCertsMax)
	}
}
