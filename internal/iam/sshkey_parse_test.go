package iam

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
)

var testRSA = sync.OnceValues(func() (*rsa.PrivateKey, *rsa.PrivateKey) {
	big, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		panic(err)
	}
	return big, small
})

func sshLineOf(t testing.TB, pub any) string {
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))
}

func pemOf(t testing.TB, typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func TestParseSSHPublicKey(t *testing.T) {
	big, small := testRSA()
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pkix, _ := x509.MarshalPKIXPublicKey(&big.PublicKey)
	ecPKIX, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	line := sshLineOf(t, &big.PublicKey)
	blob, _ := base64.StdEncoding.DecodeString(strings.Fields(line)[1])
	sshPub, _ := ssh.NewPublicKey(&big.PublicKey)
	wantFP := ssh.FingerprintLegacyMD5(sshPub)

	tests := []struct {
		name    string
		body    string
		wantErr error
		pem     bool
	}{
		{name: "ssh-rsa", body: line},
		{name: "ssh-rsa with comment and newline", body: line + " alice@example\n"},
		{name: "PEM PKIX", body: pemOf(t, "PUBLIC KEY", pkix), pem: true},
		{name: "PEM PKCS1", body: pemOf(t, "RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&big.PublicKey)), pem: true},
		{name: "1024-bit", body: sshLineOf(t, &small.PublicKey), wantErr: errSSHInvalid},
		{name: "1024-bit PEM", body: pemOf(t, "RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&small.PublicKey)), wantErr: errSSHInvalid},
		{name: "ecdsa line", body: sshLineOf(t, &ec.PublicKey), wantErr: errSSHEncoding},
		{name: "ecdsa PEM", body: pemOf(t, "PUBLIC KEY", ecPKIX), wantErr: errSSHEncoding},
		{name: "private key PEM", body: pemOf(t, "PRIVATE KEY", []byte{1}), wantErr: errSSHEncoding},
		{name: "not base64", body: "ssh-rsa ***", wantErr: errSSHInvalid},
		{name: "type mismatch in blob", body: "ssh-rsa " + base64.StdEncoding.EncodeToString(append([]byte{0, 0, 0, 7}, "ssh-dss"...)), wantErr: errSSHEncoding},
		{name: "trailing bytes in blob", body: "ssh-rsa " + base64.StdEncoding.EncodeToString(append(blob, 0)), wantErr: errSSHInvalid},
		{name: "truncated blob", body: "ssh-rsa " + base64.StdEncoding.EncodeToString(blob[:40]), wantErr: errSSHInvalid},
		{name: "garbage", body: "hello", wantErr: errSSHEncoding},
		{name: "empty", body: "", wantErr: errSSHEncoding},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := parseSSHPublicKey(tc.body)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if k.pem != tc.pem || k.fingerprint() != wantFP || k.sshLine() != line {
				t.Fatalf("key pem=%v fp=%s line=%q", k.pem, k.fingerprint(), k.sshLine())
			}
			if again, err := parseSSHPublicKey(k.pemText()); err != nil || again.fingerprint() != wantFP {
				t.Fatalf("PEM round trip: %v", err)
			}
		})
	}
}

func FuzzParseSSHPublicKey(f *testing.F) {
	big, _ := testRSA()
	f.Add(sshLineOf(f, &big.PublicKey))
	pkix, _ := x509.MarshalPKIXPublicKey(&big.PublicKey)
	f.Add(pemOf(f, "PUBLIC KEY", pkix))
	f.Add("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQ==")
	f.Fuzz(func(t *testing.T, body string) {
		k, err := parseSSHPublicKey(body)
		if err != nil {
			if !errors.Is(err, errSSHInvalid) && !errors.Is(err, errSSHEncoding) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		// An accepted key re-encodes to the same key in both encodings.
		for _, enc := range []string{k.sshLine(), k.pemText()} {
			again, err := parseSSHPublicKey(enc)
			if err != nil || again.fingerprint() != k.fingerprint() {
				t.Fatalf("re-encoding %q: %v", enc, err)
			}
		}
	})
}
