package keystore

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/pki"
)

func testMasterKey(t *testing.T, b byte) *MasterKey {
	t.Helper()
	k, err := NewMasterKey(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func signAndVerify(t *testing.T, s crypto.Signer, pub crypto.PublicKey) {
	t.Helper()
	digest := sha256.Sum256([]byte("to be signed"))
	sig, err := s.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, digest[:], sig) {
			t.Fatal("ECDSA signature does not verify")
		}
	case *rsa.PublicKey:
		if err := rsa.VerifyPKCS1v15(k, crypto.SHA256, digest[:], sig); err != nil {
			t.Fatalf("RSA signature does not verify: %v", err)
		}
	default:
		t.Fatalf("unexpected key %T", pub)
	}
}

// privateMaterial returns the PKCS #8 DER and the secret scalar or prime
// bytes behind a software signer (white-box, for the plaintext checks).
func privateMaterial(t *testing.T, s crypto.Signer) [][]byte {
	t.Helper()
	inner := s.(*signer).k
	der, err := x509.MarshalPKCS8PrivateKey(inner)
	if err != nil {
		t.Fatal(err)
	}
	out := [][]byte{der}
	switch k := inner.(type) {
	case *ecdsa.PrivateKey:
		b, err := k.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	case *rsa.PrivateKey:
		out = append(out, k.D.Bytes(), k.Primes[0].Bytes(), k.Primes[1].Bytes())
	}
	return out
}

func TestSoftwareGenerateSignReopen(t *testing.T) {
	ctx := context.Background()
	mk := testMasterKey(t, 1)
	for _, alg := range pki.KeyAlgorithms {
		t.Run(string(alg), func(t *testing.T) {
			ks := NewSoftware(mk, 0)
			key, err := ks.Generate(ctx, alg)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(key.Handle, "softkms:") || len(key.Blob) == 0 {
				t.Fatalf("key handle %q blob %d bytes", key.Handle, len(key.Blob))
			}
			if got, err := pki.KeyAlgorithmOf(key.Public); err != nil || got != alg {
				t.Fatalf("public key algorithm %v, %v", got, err)
			}
			s1, err := ks.Signer(ctx, key.Handle, key.Blob)
			if err != nil {
				t.Fatal(err)
			}
			signAndVerify(t, s1, key.Public)
			for i, secret := range privateMaterial(t, s1) {
				if bytes.Contains(key.Blob, secret) {
					t.Fatalf("blob contains private material %d in plaintext", i)
				}
			}

			// A fresh store with the same master key re-opens the persisted blob.
			fresh := NewSoftware(testMasterKey(t, 1), 0)
			s2, err := fresh.Signer(ctx, key.Handle, bytes.Clone(key.Blob))
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			if !s2.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(key.Public) {
				t.Fatal("reopened key has another public key")
			}
			signAndVerify(t, s2, key.Public)

			// A wrong master key, another handle or a tampered blob do not open.
			if _, err := NewSoftware(testMasterKey(t, 2), 0).Signer(ctx, key.Handle, key.Blob); !errors.Is(err, ErrUnseal) {
				t.Fatalf("wrong master key: %v", err)
			}
			other, _ := ks.Generate(ctx, pki.ECPrime256v1)
			if _, err := NewSoftware(mk, 0).Signer(ctx, other.Handle, key.Blob); !errors.Is(err, ErrUnseal) {
				t.Fatalf("blob under another handle: %v", err)
			}
			tampered := bytes.Clone(key.Blob)
			tampered[len(tampered)/2] ^= 1
			if _, err := NewSoftware(mk, 0).Signer(ctx, key.Handle, tampered); !errors.Is(err, ErrUnseal) {
				t.Fatalf("tampered blob: %v", err)
			}
		})
	}
}

func TestSoftwareSignerHidesKey(t *testing.T) {
	ks := NewSoftware(testMasterKey(t, 1), 0)
	key, err := ks.Generate(context.Background(), pki.ECPrime256v1)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ks.Signer(context.Background(), key.Handle, key.Blob)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*ecdsa.PrivateKey); ok {
		t.Fatal("signer is the raw private key")
	}
	secret := privateMaterial(t, s)[1]
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, s)
		for _, enc := range []string{fmt.Sprintf("%x", secret), new(big.Int).SetBytes(secret).String()} {
			if strings.Contains(out, enc) {
				t.Fatalf("%s formatting reveals the private key: %s", verb, out)
			}
		}
	}
}

func TestSoftwareDestroy(t *testing.T) {
	ctx := context.Background()
	ks := NewSoftware(testMasterKey(t, 1), 0)
	key, err := ks.Generate(ctx, pki.ECSecp384r1)
	if err != nil {
		t.Fatal(err)
	}
	if ks.cached() != 1 {
		t.Fatalf("cached = %d after Generate", ks.cached())
	}
	if err := ks.Destroy(ctx, key.Handle, key.Blob); err != nil {
		t.Fatal(err)
	}
	if ks.cached() != 0 {
		t.Fatalf("cached = %d after Destroy", ks.cached())
	}
	if _, err := ks.Signer(ctx, key.Handle, key.Blob); !errors.Is(err, ErrDestroyed) {
		t.Fatalf("Signer after Destroy: %v", err)
	}
}

func TestSoftwareCacheBounded(t *testing.T) {
	ctx := context.Background()
	mk := testMasterKey(t, 1)
	gen := NewSoftware(mk, 0)
	var keys []*Key
	for range 3 {
		k, err := gen.Generate(ctx, pki.ECPrime256v1)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	ks := NewSoftware(mk, 2)
	first, err := ks.Signer(ctx, keys[0].Handle, keys[0].Blob)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := ks.Signer(ctx, keys[0].Handle, keys[0].Blob)
	if first != again {
		t.Fatal("second Signer call did not hit the cache")
	}
	for _, k := range keys[1:] {
		if _, err := ks.Signer(ctx, k.Handle, k.Blob); err != nil {
			t.Fatal(err)
		}
	}
	if ks.cached() != 2 {
		t.Fatalf("cached = %d, want 2", ks.cached())
	}
	// keys[0] was evicted (least recently used) and re-opens from its blob.
	reopened, err := ks.Signer(ctx, keys[0].Handle, keys[0].Blob)
	if err != nil || reopened == first {
		t.Fatalf("evicted key: same=%v err=%v", reopened == first, err)
	}
	// A cached handle with a different blob is unsealed again, not trusted.
	if _, err := ks.Signer(ctx, keys[0].Handle, keys[1].Blob); !errors.Is(err, ErrUnseal) {
		t.Fatalf("cached handle with a foreign blob: %v", err)
	}
}

func TestSoftwareConcurrent(t *testing.T) {
	ctx := context.Background()
	mk := testMasterKey(t, 1)
	key, err := NewSoftware(mk, 0).Generate(ctx, pki.ECPrime256v1)
	if err != nil {
		t.Fatal(err)
	}
	ks := NewSoftware(mk, 1)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			s, err := ks.Signer(ctx, key.Handle, key.Blob)
			if err == nil {
				digest := sha256.Sum256([]byte("x"))
				_, err = s.Sign(rand.Reader, digest[:], crypto.SHA256)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestSoftwareErrors(t *testing.T) {
	ctx := context.Background()
	ks := NewSoftware(testMasterKey(t, 1), 0)
	if _, err := ks.Generate(ctx, pki.MLDSA65); pki.KindOf(err) != pki.NotSupported {
		t.Fatalf("ML-DSA: %v", err)
	}
	for handle, want := range map[string]error{
		"":                          ErrBadHandle,
		"softkms":                   ErrBadHandle,
		"softkms:":                  ErrBadHandle,
		"softkms:xyz":               ErrBadHandle,
		"pkcs11:token=ca;object=k1": ErrUnknownScheme,
		"softkms:0123456789abcdef0123456789abcdeg": ErrBadHandle,
	} {
		if _, err := ks.Signer(ctx, handle, []byte("blob")); !errors.Is(err, want) {
			t.Errorf("Signer(%q): %v, want %v", handle, err, want)
		}
		if err := ks.Destroy(ctx, handle, nil); !errors.Is(err, want) {
			t.Errorf("Destroy(%q): %v, want %v", handle, err, want)
		}
	}
}

// fakeStore records calls, standing in for a PKCS#11 backend.
type fakeStore struct{ calls []string }

func (f *fakeStore) Generate(context.Context, pki.KeyAlgorithm) (*Key, error) {
	f.calls = append(f.calls, "generate")
	return &Key{Handle: "pkcs11:object=x"}, nil
}

func (f *fakeStore) Signer(_ context.Context, h string, _ []byte) (crypto.Signer, error) {
	f.calls = append(f.calls, "signer "+h)
	return nil, nil
}

func (f *fakeStore) Destroy(_ context.Context, h string, _ []byte) error {
	f.calls = append(f.calls, "destroy "+h)
	return nil
}

func TestRouter(t *testing.T) {
	ctx := context.Background()
	soft := NewSoftware(testMasterKey(t, 1), 0)
	hsm := &fakeStore{}
	r := &Router{Default: hsm, ByScheme: map[string]KeyStore{SoftwareScheme: soft, "pkcs11": hsm}}
	softKey, err := soft.Generate(ctx, pki.ECPrime256v1)
	if err != nil {
		t.Fatal(err)
	}
	if k, err := r.Generate(ctx, pki.RSA2048); err != nil || k.Handle != "pkcs11:object=x" {
		t.Fatalf("Router.Generate = %v, %v", k, err)
	}
	s, err := r.Signer(ctx, softKey.Handle, softKey.Blob)
	if err != nil || s == nil {
		t.Fatalf("Router.Signer(softkms) = %v, %v", s, err)
	}
	if _, err := r.Signer(ctx, "pkcs11:object=x", nil); err != nil {
		t.Fatal(err)
	}
	if err := r.Destroy(ctx, "pkcs11:object=x", nil); err != nil {
		t.Fatal(err)
	}
	if want := "generate,signer pkcs11:object=x,destroy pkcs11:object=x"; strings.Join(hsm.calls, ",") != want {
		t.Fatalf("pkcs11 calls %v, want %s", hsm.calls, want)
	}
	if _, err := r.Signer(ctx, "awskms:key/1", nil); !errors.Is(err, ErrUnknownScheme) {
		t.Fatalf("unknown scheme: %v", err)
	}
}

// TestSoftwareSignsCertificates: the opaque signer works with crypto/x509
// through pki, for every algorithm.
func TestSoftwareSignsCertificates(t *testing.T) {
	ctx := context.Background()
	ks := NewSoftware(testMasterKey(t, 1), 0)
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, alg := range pki.KeyAlgorithms {
		t.Run(string(alg), func(t *testing.T) {
			key, err := ks.Generate(ctx, alg)
			if err != nil {
				t.Fatal(err)
			}
			s, err := NewSoftware(testMasterKey(t, 1), 0).Signer(ctx, key.Handle, key.Blob)
			if err != nil {
				t.Fatal(err)
			}
			sig := pki.SHA384WithECDSA
			if strings.HasPrefix(string(alg), "RSA") {
				sig = pki.SHA384WithRSA
			}
			csr, err := pki.CreateCACSR(s, pki.ASN1Subject{CommonName: "KS Root " + string(alg)}, nil, sig)
			if err != nil {
				t.Fatal(err)
			}
			der, err := pki.Issue(&pki.IssueRequest{CSR: csr, IssuerSigner: s, SigningAlgorithm: sig, TemplateARN: "arn:aws:acm-pca:::template/RootCACertificate/V1", Validity: pki.Validity{Type: pki.ValidityYears, Value: 1}, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			c, err := x509.ParseCertificate(der)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.CheckSignatureFrom(c); err != nil {
				t.Fatal(err)
			}
		})
	}
}
