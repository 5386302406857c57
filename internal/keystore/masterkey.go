// Package keystore holds the custody of secrets at rest: the master key that
// wraps every stored secret (access key secrets now, CA private keys later),
// and the key stores for CA keys.
package keystore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Sealer encrypts small secrets for storage. The additional data binds a
// ciphertext to its row (for example the access key ID), so a ciphertext
// copied to another row does not open.
type Sealer interface {
	Seal(plaintext, additionalData []byte) ([]byte, error)
	Open(ciphertext, additionalData []byte) ([]byte, error)
}

// MasterKeyFile is the master key's file name in the data directory.
const MasterKeyFile = "master.key"

// MasterKeyEnv names the environment variable that may carry the master key
// (base64 of 32 bytes) instead of the file.
const MasterKeyEnv = "OPENPCA_MASTER_KEY"

// MasterKey is an AES-256-GCM key. Sealed values are version(1) || nonce(12) || ciphertext+tag.
type MasterKey struct {
	aead  cipher.AEAD
	check string
}

const sealVersion = 1

// NewMasterKey wraps 32 raw key bytes.
func NewMasterKey(raw []byte) (*MasterKey, error) {
	if len(raw) != 32 {
		return nil, fmt.Errorf("master key must be 32 bytes, got %d", len(raw))
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, raw)
	mac.Write([]byte(checkLabel))
	return &MasterKey{aead: aead, check: hex.EncodeToString(mac.Sum(nil)[:16])}, nil
}

// checkLabel is the constant whose MAC under the key is the key-check value.
const checkLabel = "OpenPCA master key check value v1"

// CheckValue is a key-check value: HMAC-SHA256 of a constant under the key,
// truncated to 128 bits. Stored beside the data it lets a start with the
// wrong key refuse at once; it reveals nothing usable about the key.
func (k *MasterKey) CheckValue() string { return k.check }

// ErrNoMasterKey means the key file is missing where one must exist.
var ErrNoMasterKey = errors.New("keystore: master key not found")

// LoadMasterKey is LoadOrCreateMasterKey for a data directory whose secrets
// already exist: a missing key file is ErrNoMasterKey, never a new key.
func LoadMasterKey(path string, env string) (*MasterKey, error) {
	if env == "" {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s does not exist and %s is not set", ErrNoMasterKey, path, MasterKeyEnv)
		}
	}
	return LoadOrCreateMasterKey(path, env)
}

// LoadOrCreateMasterKey takes the key from $OPENPCA_MASTER_KEY when set
// (env wins over the file), else from path, creating path with mode 0600 and
// a fresh random key when it does not exist.
func LoadOrCreateMasterKey(path string, env string) (*MasterKey, error) {
	if env != "" {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(env))
		if err != nil {
			return nil, fmt.Errorf("%s: not base64: %w", MasterKeyEnv, err)
		}
		return NewMasterKey(raw)
	}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data)))
		if err != nil {
			return nil, fmt.Errorf("master key file %s: not base64: %w", path, err)
		}
		return NewMasterKey(raw)
	case errors.Is(err, os.ErrNotExist):
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("create master key: %w", err)
		}
		if _, err := f.WriteString(base64.StdEncoding.EncodeToString(raw) + "\n"); err != nil {
			f.Close()
			return nil, err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, err
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
		return NewMasterKey(raw)
	default:
		return nil, fmt.Errorf("read master key: %w", err)
	}
}

// Seal encrypts plaintext bound to additionalData.
func (k *MasterKey) Seal(plaintext, additionalData []byte) ([]byte, error) {
	out := make([]byte, 1+k.aead.NonceSize(), 1+k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, err
	}
	return k.aead.Seal(out, out[1:], plaintext, additionalData), nil
}

// ErrUnseal means a sealed value did not open: wrong key, wrong row or tampering.
var ErrUnseal = errors.New("keystore: sealed value does not open with this master key")

// Open decrypts a value produced by Seal with the same additionalData.
func (k *MasterKey) Open(ciphertext, additionalData []byte) ([]byte, error) {
	ns := k.aead.NonceSize()
	if len(ciphertext) < 1+ns+k.aead.Overhead() || ciphertext[0] != sealVersion {
		return nil, ErrUnseal
	}
	pt, err := k.aead.Open(nil, ciphertext[1:1+ns], ciphertext[1+ns:], additionalData)
	if err != nil {
		return nil, ErrUnseal
	}
	return pt, nil
}
