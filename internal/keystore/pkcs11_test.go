//go:build pkcs11 && cgo

package keystore

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ThalesGroup/crypto11"

	"github.com/openpca/openpca/internal/pki"
)

// softHSM initializes a fresh SoftHSM2 token in a temp dir and returns its
// config; the tests skip only when SoftHSM2 is not installed.
func softHSM(t *testing.T, label string) PKCS11Config { return softHSMTB(t, label) }

func softHSMb(b *testing.B) PKCS11Config { return softHSMTB(b, "openpca-bench") }

func softHSMTB(t testing.TB, label string) PKCS11Config {
	t.Helper()
	module := os.Getenv("SOFTHSM2_MODULE")
	if module == "" {
		module = "/usr/lib/softhsm/libsofthsm2.so"
	}
	if _, err := os.Stat(module); err != nil {
		t.Skipf("SoftHSM2 not installed (%v): apt-get install softhsm2", err)
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "softhsm2.conf")
	if err := os.MkdirAll(filepath.Join(dir, "tokens"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, []byte("directories.tokendir = "+filepath.Join(dir, "tokens")+"\nobjectstore.backend = file\nlog.level = ERROR\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", conf)
	out, err := exec.Command("softhsm2-util", "--init-token", "--free", "--label", label, "--pin", "1234", "--so-pin", "5678").CombinedOutput()
	if err != nil {
		t.Fatalf("softhsm2-util: %v: %s", err, out)
	}
	return PKCS11Config{Module: module, Token: label, PIN: "1234"}
}

func TestPKCS11KeysStayInToken(t *testing.T) {
	cfg := softHSM(t, "openpca-test")
	ctx := context.Background()
	ks, err := OpenPKCS11(cfg)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte("tbs"))
	var handles []string
	for _, alg := range []pki.KeyAlgorithm{pki.ECPrime256v1, pki.ECSecp384r1, pki.RSA2048} {
		k, err := ks.Generate(ctx, alg)
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if k.Blob != nil {
			t.Fatalf("%s: the token store returned a blob to persist", alg)
		}
		if _, _, err := ParsePKCS11Handle(k.Handle); err != nil {
			t.Fatal(err)
		}
		handles = append(handles, k.Handle)
		s, err := ks.Signer(ctx, k.Handle, nil)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := s.Sign(nil, digest[:], crypto.SHA256)
		if err != nil {
			t.Fatalf("%s sign: %v", alg, err)
		}
		switch pub := k.Public.(type) {
		case *ecdsa.PublicKey:
			if !ecdsa.VerifyASN1(pub, digest[:], sig) {
				t.Fatalf("%s: signature does not verify", alg)
			}
		case *rsa.PublicKey:
			if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
				t.Fatalf("%s: %v", alg, err)
			}
		}
	}
	if _, err := ks.Generate(ctx, pki.MLDSA65); err == nil {
		t.Fatal("ML-DSA generated in a PKCS#11 store")
	}
	ks.Close()

	// A new process (store) finds the keys by handle; they are sensitive
	// and not extractable.
	ks, err = OpenPKCS11(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ks.Close()
	for _, h := range handles {
		s, err := ks.Signer(ctx, h, nil)
		if err != nil {
			t.Fatalf("reopen %s: %v", h, err)
		}
		if _, err := s.Sign(nil, digest[:], crypto.SHA256); err != nil {
			t.Fatal(err)
		}
	}
	raw := ks.(*PKCS11).ctx
	_, id, _ := ParsePKCS11Handle(handles[0])
	priv, err := raw.FindPrivateKey(id, nil)
	if err != nil || priv == nil {
		t.Fatalf("find private key: %v", err)
	}
	attrs, err := raw.GetAttributes(priv, []crypto11.AttributeType{crypto11.CkaSensitive, crypto11.CkaExtractable})
	if err != nil {
		t.Fatal(err)
	}
	if v := attrs[crypto11.CkaSensitive].Value; len(v) != 1 || v[0] != 1 {
		t.Errorf("CKA_SENSITIVE = %v", v)
	}
	if v := attrs[crypto11.CkaExtractable].Value; len(v) != 1 || v[0] != 0 {
		t.Errorf("CKA_EXTRACTABLE = %v", v)
	}

	if _, err := ks.Signer(ctx, PKCS11Handle("other-token", id), nil); !errors.Is(err, ErrUnknownScheme) {
		t.Errorf("key of another token: %v", err)
	}
	if err := ks.Destroy(ctx, handles[0], nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Signer(ctx, handles[0], nil); !errors.Is(err, ErrDestroyed) {
		t.Errorf("destroyed key: %v", err)
	}
}

// BenchmarkSignP256 is one CA signature (P-256, SHA-256 digest) through
// each store: what a SoftHSM2 session costs over an in-process key.
func BenchmarkSignP256(b *testing.B) {
	ctx := context.Background()
	mk, err := NewMasterKey(make([]byte, 32))
	if err != nil {
		b.Fatal(err)
	}
	stores := map[string]func(b *testing.B) KeyStore{
		"software": func(*testing.B) KeyStore { return NewSoftware(mk, 0) },
		"softhsm2": func(b *testing.B) KeyStore {
			ks, err := OpenPKCS11(softHSMb(b))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { ks.Close() })
			return ks
		},
	}
	for _, name := range []string{"software", "softhsm2"} {
		b.Run(name, func(b *testing.B) {
			ks := stores[name](b)
			k, err := ks.Generate(ctx, pki.ECPrime256v1)
			if err != nil {
				b.Fatal(err)
			}
			s, err := ks.Signer(ctx, k.Handle, k.Blob)
			if err != nil {
				b.Fatal(err)
			}
			digest := sha256.Sum256([]byte("tbs"))
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.Sign(nil, digest[:], crypto.SHA256); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
