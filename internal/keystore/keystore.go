package keystore

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"strings"

	"github.com/openpca/openpca/internal/pki"
)

// Key is a newly generated CA key as a KeyStore reports it.
type Key struct {
	// Handle addresses the key, URI-like: "softkms:<id>", later "pkcs11:…".
	Handle string
	// Blob is opaque state the caller must persist next to Handle and hand
	// back to Signer and Destroy. The software store puts the key, wrapped by
	// the master key, here; a PKCS#11 store keeps the key in the token and
	// may return nil.
	Blob []byte
	// Public is the key's public half.
	Public crypto.PublicKey
}

// KeyStore is the custody of CA private keys. Implementations never hand out
// private key material: Signer returns a crypto.Signer that can only sign.
// Persistence belongs to the caller (pca owns its tables): a store returns
// (Handle, Blob) and re-opens a signer from them.
type KeyStore interface {
	// Generate creates a key of the given algorithm.
	Generate(ctx context.Context, alg pki.KeyAlgorithm) (*Key, error)
	// Signer opens the key addressed by handle (with the blob Generate returned).
	Signer(ctx context.Context, handle string, blob []byte) (crypto.Signer, error)
	// Destroy makes the key unusable through this store. For blob-based
	// stores the caller must also delete the persisted blob.
	Destroy(ctx context.Context, handle string, blob []byte) error
}

// Errors common to stores.
var (
	// ErrUnknownScheme: no store serves the handle's scheme.
	ErrUnknownScheme = errors.New("keystore: no key store for this handle scheme")
	// ErrBadHandle: the handle is not of the form scheme:opaque.
	ErrBadHandle = errors.New("keystore: malformed key handle")
	// ErrDestroyed: the key was destroyed.
	ErrDestroyed = errors.New("keystore: key destroyed")
)

// Scheme returns the handle's scheme ("softkms", "pkcs11").
func Scheme(handle string) (string, error) {
	scheme, rest, ok := strings.Cut(handle, ":")
	if !ok || scheme == "" || rest == "" {
		return "", fmt.Errorf("%w: %q", ErrBadHandle, handle)
	}
	return scheme, nil
}

// Router is a KeyStore that generates with Default and opens or destroys
// keys with the store registered for the handle's scheme, so CAs created
// under an earlier backend keep working after the default changes.
type Router struct {
	Default  KeyStore
	ByScheme map[string]KeyStore
}

// Generate creates a key with the default store.
func (r *Router) Generate(ctx context.Context, alg pki.KeyAlgorithm) (*Key, error) {
	return r.Default.Generate(ctx, alg)
}

// Signer opens the key with the store for its scheme.
func (r *Router) Signer(ctx context.Context, handle string, blob []byte) (crypto.Signer, error) {
	ks, err := r.route(handle)
	if err != nil {
		return nil, err
	}
	return ks.Signer(ctx, handle, blob)
}

// Destroy destroys the key with the store for its scheme.
func (r *Router) Destroy(ctx context.Context, handle string, blob []byte) error {
	ks, err := r.route(handle)
	if err != nil {
		return err
	}
	return ks.Destroy(ctx, handle, blob)
}

func (r *Router) route(handle string) (KeyStore, error) {
	scheme, err := Scheme(handle)
	if err != nil {
		return nil, err
	}
	ks, ok := r.ByScheme[scheme]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownScheme, scheme)
	}
	return ks, nil
}
