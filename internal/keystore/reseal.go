package keystore

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
)

// Reseal opens a value sealed by old and seals it again by new, bound to the
// same additional data: the one step of a master-key rotation. The
// plaintext is wiped before returning.
func Reseal(old, new Sealer, sealed, additionalData []byte) ([]byte, error) {
	pt, err := old.Open(sealed, additionalData)
	if err != nil {
		return nil, err
	}
	defer clear(pt)
	return new.Seal(pt, additionalData)
}

// ResealKey re-seals a CA key blob for handle. Only software keys are sealed
// by the master key; any other scheme's blob (a PKCS #11 reference) comes
// back unchanged with changed false.
func ResealKey(old, new Sealer, handle string, blob []byte) (out []byte, changed bool, err error) {
	scheme, err := Scheme(handle)
	if err != nil {
		return nil, false, err
	}
	if scheme != SoftwareScheme {
		return blob, false, nil
	}
	if err := checkSoftHandle(handle); err != nil {
		return nil, false, err
	}
	out, err = Reseal(old, new, blob, additionalData(handle))
	if err != nil {
		return nil, false, fmt.Errorf("key %s: %w", handle, err)
	}
	return out, true, nil
}

// GenerateMasterKey returns a fresh random key and its base64 form, the
// form of the key file and of $OPENPCA_MASTER_KEY.
func GenerateMasterKey() (*MasterKey, string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, "", err
	}
	defer clear(raw)
	k, err := NewMasterKey(raw)
	if err != nil {
		return nil, "", err
	}
	return k, base64.StdEncoding.EncodeToString(raw), nil
}

// ParseMasterKey reads a key in its base64 form (surrounding space allowed).
func ParseMasterKey(b64 string) (*MasterKey, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return nil, fmt.Errorf("master key: not base64: %w", err)
	}
	defer clear(raw)
	return NewMasterKey(raw)
}
