//go:build pkcs11 && cgo

package keystore

import (
	"context"
	"crypto"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"io"
	"sync"

	"github.com/ThalesGroup/crypto11"

	"github.com/openpca/openpca/internal/pki"
)

// PKCS11 keeps CA keys inside a PKCS#11 token (an HSM, or SoftHSM2 in
// tests). Keys are generated in the token as sensitive, non-extractable
// objects; the database stores only their handle (PKCS11Handle) and no
// blob, so neither a dump nor the master key yields a CA key.
type PKCS11 struct {
	ctx   *crypto11.Context
	token string

	mu      sync.Mutex
	signers map[string]crypto.Signer
}

// OpenPKCS11 loads the module, logs in to the token with the PIN and
// returns the store. Close releases the sessions.
func OpenPKCS11(cfg PKCS11Config) (ClosableKeyStore, error) {
	if cfg.Module == "" || cfg.Token == "" {
		return nil, fmt.Errorf("keystore: PKCS#11 needs a module and a token label")
	}
	c, err := crypto11.Configure(&crypto11.Config{Path: cfg.Module, TokenLabel: cfg.Token, Pin: cfg.PIN})
	if err != nil {
		return nil, fmt.Errorf("keystore: open PKCS#11 token %q with %s: %w", cfg.Token, cfg.Module, err)
	}
	return &PKCS11{ctx: c, token: cfg.Token, signers: map[string]crypto.Signer{}}, nil
}

// Close logs out and unloads the module.
func (p *PKCS11) Close() error { return p.ctx.Close() }

// Generate creates the key pair in the token under a random 16-byte id.
// ML-DSA and SM2 are refused: PKCS#11 3.0 tokens here do not offer them.
func (p *PKCS11) Generate(_ context.Context, alg pki.KeyAlgorithm) (*Key, error) {
	id := make([]byte, 16)
	if _, err := io.ReadFull(rand.Reader, id); err != nil {
		return nil, err
	}
	pub, err := crypto11.NewAttributeSetWithIDAndLabel(id, []byte("openpca-ca"))
	if err != nil {
		return nil, err
	}
	priv, err := crypto11.NewAttributeSetWithIDAndLabel(id, []byte("openpca-ca"))
	if err != nil {
		return nil, err
	}
	// Spelled out, not left to library defaults: the key never leaves.
	if err := priv.Set(crypto11.CkaSensitive, true); err != nil {
		return nil, err
	}
	if err := priv.Set(crypto11.CkaExtractable, false); err != nil {
		return nil, err
	}
	var s crypto11.Signer
	switch alg {
	case pki.ECPrime256v1, pki.ECSecp384r1, pki.ECSecp521r1:
		curve := map[pki.KeyAlgorithm]elliptic.Curve{pki.ECPrime256v1: elliptic.P256(), pki.ECSecp384r1: elliptic.P384(), pki.ECSecp521r1: elliptic.P521()}[alg]
		s, err = p.ctx.GenerateECDSAKeyPairWithAttributes(pub, priv, curve)
	case pki.RSA2048, pki.RSA3072, pki.RSA4096:
		bits := map[pki.KeyAlgorithm]int{pki.RSA2048: 2048, pki.RSA3072: 3072, pki.RSA4096: 4096}[alg]
		s, err = p.ctx.GenerateRSAKeyPairWithAttributes(pub, priv, bits)
	default:
		return nil, fmt.Errorf("keystore: key algorithm %s is not available in the PKCS#11 store", alg)
	}
	if err != nil {
		return nil, fmt.Errorf("keystore: generate %s in token %q: %w", alg, p.token, err)
	}
	handle := PKCS11Handle(p.token, id)
	sg := &signer{s}
	p.mu.Lock()
	p.signers[handle] = sg
	p.mu.Unlock()
	return &Key{Handle: handle, Public: s.Public()}, nil
}

// Signer finds the key pair in the token by id (once; then cached).
func (p *PKCS11) Signer(_ context.Context, handle string, _ []byte) (crypto.Signer, error) {
	id, err := p.id(handle)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	sg, ok := p.signers[handle]
	p.mu.Unlock()
	if ok {
		return sg, nil
	}
	found, err := p.ctx.FindKeyPairs(id, nil)
	if err != nil {
		return nil, fmt.Errorf("keystore: find %s: %w", handle, err)
	}
	if len(found) != 1 {
		return nil, fmt.Errorf("%w: %s: %d key pairs in the token", ErrDestroyed, handle, len(found))
	}
	sg = &signer{found[0]}
	p.mu.Lock()
	p.signers[handle] = sg
	p.mu.Unlock()
	return sg, nil
}

// Destroy deletes the key pair from the token.
func (p *PKCS11) Destroy(_ context.Context, handle string, _ []byte) error {
	id, err := p.id(handle)
	if err != nil {
		return err
	}
	p.mu.Lock()
	delete(p.signers, handle)
	p.mu.Unlock()
	found, err := p.ctx.FindKeyPairs(id, nil)
	if err != nil {
		return fmt.Errorf("keystore: find %s: %w", handle, err)
	}
	for _, s := range found {
		if err := s.Delete(); err != nil {
			return fmt.Errorf("keystore: delete %s: %w", handle, err)
		}
	}
	return nil
}

// id checks that handle addresses this store's token.
func (p *PKCS11) id(handle string) ([]byte, error) {
	token, id, err := ParsePKCS11Handle(handle)
	if err != nil {
		return nil, err
	}
	if token != p.token {
		return nil, fmt.Errorf("%w: key %s is in token %q, this server uses %q", ErrUnknownScheme, handle, token, p.token)
	}
	return id, nil
}

var _ KeyStore = (*PKCS11)(nil)
