package keystore

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestMasterKeyCreateReloadAndSeal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", MasterKeyFile)
	k1, err := LoadOrCreateMasterKey(path, "")
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", st.Mode().Perm())
	}
	ct, err := k1.Seal([]byte("secret"), []byte("AKIA1"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, []byte("secret")) {
		t.Fatal("ciphertext contains plaintext")
	}
	k2, err := LoadOrCreateMasterKey(path, "")
	if err != nil {
		t.Fatal(err)
	}
	pt, err := k2.Open(ct, []byte("AKIA1"))
	if err != nil || string(pt) != "secret" {
		t.Fatalf("reopen: %q %v", pt, err)
	}
	if _, err := k2.Open(ct, []byte("AKIA2")); err != ErrUnseal {
		t.Fatalf("wrong additional data: %v", err)
	}
	ct[len(ct)-1] ^= 1
	if _, err := k2.Open(ct, []byte("AKIA1")); err != ErrUnseal {
		t.Fatalf("tampered: %v", err)
	}
	if _, err := k2.Open([]byte{1, 2}, nil); err != ErrUnseal {
		t.Fatalf("short: %v", err)
	}
}

func TestMasterKeyFromEnv(t *testing.T) {
	raw := bytes.Repeat([]byte{7}, 32)
	k, err := LoadOrCreateMasterKey(filepath.Join(t.TempDir(), "unused"), base64.StdEncoding.EncodeToString(raw))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Seal([]byte("x"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateMasterKey("", "not base64!"); err == nil {
		t.Fatal("bad env accepted")
	}
	if _, err := LoadOrCreateMasterKey("", base64.StdEncoding.EncodeToString([]byte("short"))); err == nil {
		t.Fatal("short env key accepted")
	}
}

func TestCheckValue(t *testing.T) {
	a, b := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	ka, _ := NewMasterKey(a)
	ka2, _ := NewMasterKey(a)
	kb, _ := NewMasterKey(b)
	if ka.CheckValue() != ka2.CheckValue() || len(ka.CheckValue()) != 32 {
		t.Fatalf("check value not stable: %q %q", ka.CheckValue(), ka2.CheckValue())
	}
	if ka.CheckValue() == kb.CheckValue() {
		t.Fatal("two keys share a check value")
	}
	path := filepath.Join(t.TempDir(), MasterKeyFile)
	if _, err := LoadMasterKey(path, ""); !errors.Is(err, ErrNoMasterKey) {
		t.Fatalf("LoadMasterKey without a file: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("LoadMasterKey created a key")
	}
	if _, err := LoadMasterKey(path, base64.StdEncoding.EncodeToString(a)); err != nil {
		t.Fatalf("LoadMasterKey from the environment: %v", err)
	}
}
