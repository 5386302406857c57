package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"
)

func selfSigned(t *testing.T, serial int64) []byte {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(serial),
		Subject: pkix.Name{CommonName: "x"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}, &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca"}}, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestCheckStoredCounts: the database pass counts a missing certificate
// and a changed one as lost and two rows with one serial as a duplicate,
// so a run that loses something cannot print "0 lost".
func TestCheckStoredCounts(t *testing.T) {
	a, b, b2 := selfSigned(t, 10), selfSigned(t, 11), selfSigned(t, 11)
	s := &state{caID: "ca"}
	pemOf := func(der []byte) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	}
	certs := []*certRec{{arn: "arn/a", serial: "a", pem: pemOf(a)}, {arn: "arn/b", serial: "b", pem: pemOf(b)}}
	for _, tc := range []struct {
		name      string
		rows      map[string][]byte
		lost, dup int
	}{
		{"all there", map[string][]byte{"ca/a": a, "ca/b": b}, 0, 0},
		{"one missing", map[string][]byte{"ca/a": a}, 1, 0},
		{"one changed", map[string][]byte{"ca/a": a, "ca/b": a}, 1, 1},
		{"serial twice", map[string][]byte{"ca/a": a, "ca/b": b, "ca/c": b2}, 0, 1},
	} {
		var rep report
		s.checkStored(&rep, 1, certs, tc.rows)
		if rep.lost != tc.lost || rep.dups != tc.dup {
			t.Errorf("%s: lost %d dups %d, want %d %d (%v)", tc.name, rep.lost, rep.dups, tc.lost, tc.dup, rep.failures)
		}
	}
}
