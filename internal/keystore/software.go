package keystore

import (
	"container/list"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/openpca/openpca/internal/pki"
)

// SoftwareScheme is the handle scheme of the software store.
const SoftwareScheme = "softkms"

// DefaultCacheSize bounds the unwrapped signers a Software store keeps.
const DefaultCacheSize = 256

// Software keeps CA keys as PKCS #8 sealed by the master key (AES-256-GCM,
// bound to the handle as additional data). It does no I/O: Generate returns
// the sealed blob for the caller to persist. Unwrapped signers are cached
// (least recently used out) so signing does not unseal every time.
type Software struct {
	sealer Sealer
	max    int

	mu        sync.Mutex
	lru       *list.List // of *cacheEntry, most recent first
	byHandle  map[string]*list.Element
	destroyed map[string]bool
}

type cacheEntry struct {
	handle   string
	blobHash [32]byte
	signer   crypto.Signer
}

// NewSoftware returns a software store sealing with s and caching at most
// cacheSize signers (≤ 0 means DefaultCacheSize).
func NewSoftware(s Sealer, cacheSize int) *Software {
	if cacheSize <= 0 {
		cacheSize = DefaultCacheSize
	}
	return &Software{sealer: s, max: cacheSize, lru: list.New(), byHandle: map[string]*list.Element{}, destroyed: map[string]bool{}}
}

func additionalData(handle string) []byte { return []byte("openpca/keystore/softkms/v1\x00" + handle) }

// Generate creates a key, seals its PKCS #8 encoding and returns handle "softkms:<32 hex>".
func (s *Software) Generate(_ context.Context, alg pki.KeyAlgorithm) (*Key, error) {
	priv, err := pki.GenerateKey(alg)
	if err != nil {
		return nil, err
	}
	var id [16]byte
	if _, err := io.ReadFull(rand.Reader, id[:]); err != nil {
		return nil, err
	}
	handle := SoftwareScheme + ":" + hex.EncodeToString(id[:])
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("keystore: encode key: %w", err)
	}
	blob, err := s.sealer.Seal(der, additionalData(handle))
	clear(der)
	if err != nil {
		return nil, fmt.Errorf("keystore: seal key: %w", err)
	}
	s.put(handle, blob, &signer{priv})
	return &Key{Handle: handle, Blob: blob, Public: priv.Public()}, nil
}

// Signer unseals the key (or takes it from the cache). A blob that does not
// open with this master key or for this handle yields ErrUnseal.
func (s *Software) Signer(_ context.Context, handle string, blob []byte) (crypto.Signer, error) {
	if err := checkSoftHandle(handle); err != nil {
		return nil, err
	}
	h := sha256.Sum256(blob)
	s.mu.Lock()
	if s.destroyed[handle] {
		s.mu.Unlock()
		return nil, ErrDestroyed
	}
	if el, ok := s.byHandle[handle]; ok {
		e := el.Value.(*cacheEntry)
		if e.blobHash == h {
			s.lru.MoveToFront(el)
			s.mu.Unlock()
			return e.signer, nil
		}
	}
	s.mu.Unlock()

	der, err := s.sealer.Open(blob, additionalData(handle))
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	clear(der)
	if err != nil {
		return nil, fmt.Errorf("keystore: wrapped key does not parse: %w", err)
	}
	cs, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("keystore: wrapped key of type %T cannot sign", key)
	}
	sg := &signer{cs}
	s.put(handle, blob, sg)
	return sg, nil
}

// Destroy drops the key from the cache and refuses it from now on in this
// process. The caller must delete the persisted blob: that is what makes the
// key unrecoverable.
func (s *Software) Destroy(_ context.Context, handle string, _ []byte) error {
	if err := checkSoftHandle(handle); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.byHandle[handle]; ok {
		s.lru.Remove(el)
		delete(s.byHandle, handle)
	}
	s.destroyed[handle] = true
	return nil
}

// cached reports how many signers are cached (for tests).
func (s *Software) cached() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lru.Len()
}

func (s *Software) put(handle string, blob []byte, sg crypto.Signer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.destroyed[handle] {
		return
	}
	e := &cacheEntry{handle: handle, blobHash: sha256.Sum256(blob), signer: sg}
	if el, ok := s.byHandle[handle]; ok {
		el.Value = e
		s.lru.MoveToFront(el)
		return
	}
	s.byHandle[handle] = s.lru.PushFront(e)
	for s.lru.Len() > s.max {
		last := s.lru.Back()
		s.lru.Remove(last)
		delete(s.byHandle, last.Value.(*cacheEntry).handle)
	}
}

func checkSoftHandle(handle string) error {
	scheme, err := Scheme(handle)
	if err != nil {
		return err
	}
	if scheme != SoftwareScheme {
		return fmt.Errorf("%w: %q", ErrUnknownScheme, scheme)
	}
	id := strings.TrimPrefix(handle, SoftwareScheme+":")
	if len(id) != 32 {
		return fmt.Errorf("%w: %q", ErrBadHandle, handle)
	}
	if _, err := hex.DecodeString(id); err != nil {
		return fmt.Errorf("%w: %q", ErrBadHandle, handle)
	}
	return nil
}

// signer exposes only Public and Sign, so callers cannot type-assert their
// way to the private key.
type signer struct{ k crypto.Signer }

func (s *signer) Public() crypto.PublicKey { return s.k.Public() }

func (s *signer) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return s.k.Sign(r, digest, opts)
}

// String hides the key from %v and loggers.
func (s *signer) String() string { return "keystore.signer{…}" }

// GoString hides the key from %#v.
func (s *signer) GoString() string { return s.String() }

var _ KeyStore = (*Software)(nil)
var _ KeyStore = (*Router)(nil)
