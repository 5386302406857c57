package keystore

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/openpca/openpca/internal/pki"
)

func TestResealKey(t *testing.T) {
	ctx := context.Background()
	oldK, newK, other := testMasterKey(t, 1), testMasterKey(t, 2), testMasterKey(t, 3)
	key, err := NewSoftware(oldK, 0).Generate(ctx, pki.ECPrime256v1)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		old         Sealer
		handle      string
		blob        []byte
		wantChanged bool
		wantErr     error
	}{
		{"software key", oldK, key.Handle, key.Blob, true, nil},
		{"wrong old key", other, key.Handle, key.Blob, false, ErrUnseal},
		{"blob of another handle", oldK, "softkms:00000000000000000000000000000000", key.Blob, false, ErrUnseal},
		{"pkcs11 reference untouched", oldK, "pkcs11:object=ca1", []byte("ref"), false, nil},
		{"bad software handle", oldK, "softkms:zz", key.Blob, false, ErrBadHandle},
		{"no scheme", oldK, "nohandle", key.Blob, false, ErrBadHandle},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, changed, err := ResealKey(tc.old, newK, tc.handle, tc.blob)
			if !errors.Is(err, tc.wantErr) || changed != tc.wantChanged {
				t.Fatalf("changed=%v err=%v, want %v %v", changed, err, tc.wantChanged, tc.wantErr)
			}
			if err != nil {
				return
			}
			if !changed {
				if !bytes.Equal(out, tc.blob) {
					t.Fatal("unchanged blob differs")
				}
				return
			}
			// The new blob signs under the new key only, as the same key.
			sg, err := NewSoftware(newK, 0).Signer(ctx, tc.handle, out)
			if err != nil {
				t.Fatal(err)
			}
			if !sg.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(key.Public) {
				t.Fatal("resealed key is another key")
			}
			if _, err := NewSoftware(oldK, 0).Signer(ctx, tc.handle, out); !errors.Is(err, ErrUnseal) {
				t.Fatalf("old key still opens the resealed blob: %v", err)
			}
		})
	}
}

func TestGenerateAndParseMasterKey(t *testing.T) {
	k, b64, err := GenerateMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseMasterKey(" " + b64 + "\n")
	if err != nil {
		t.Fatal(err)
	}
	if p.CheckValue() != k.CheckValue() {
		t.Fatal("parsed key differs")
	}
	k2, _, _ := GenerateMasterKey()
	if k2.CheckValue() == k.CheckValue() {
		t.Fatal("two generated keys are equal")
	}
	for _, bad := range []string{"", "not base64!", "AAAA"} {
		if _, err := ParseMasterKey(bad); err == nil {
			t.Errorf("ParseMasterKey(%q) accepted", bad)
		}
	}
}

// FuzzParseMasterKey: any input either parses to a key whose base64 form
// reparses to the same key, or fails; never a panic.
func FuzzParseMasterKey(f *testing.F) {
	_, b64, _ := GenerateMasterKey()
	for _, s := range []string{b64, b64 + "\n", "", "AAAA", "====", " \t\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseMasterKey(s)
		if err != nil {
			return
		}
		raw, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
		again, err := ParseMasterKey(base64.StdEncoding.EncodeToString(raw))
		if err != nil || again.CheckValue() != k.CheckValue() {
			t.Fatalf("%q: reparse %v", s, err)
		}
	})
}
