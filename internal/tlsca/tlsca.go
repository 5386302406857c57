// Package tlsca is OpenPCA's own PKI for its listener: an internal CA,
// created on first start with its key sealed by the master key and kept in
// the database, issues the server's certificate for its listen names and
// renews it before expiry, so that TLS works out of the box and clients
// verify the server with the CA bundle written beside their profile.
package tlsca

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/pki"
	"github.com/openpca/openpca/internal/store"
)

// Lifetimes: the CA outlives many server certificates; a server
// certificate is renewed when a third of its life is left.
const (
	CAValidity     = 10 * 365 * 24 * time.Hour
	LeafValidity   = 30 * 24 * time.Hour
	RenewBefore    = LeafValidity / 3
	backdate       = 5 * time.Minute // tolerate clients whose clock is a little behind
	keyAssociation = "openpca internal TLS CA key"
)

// Authority is the internal TLS CA.
type Authority struct {
	cert    *x509.Certificate
	certPEM []byte
	key     crypto.Signer
	clock   clock.Clock
}

// Open loads the internal CA from db, creating it on first use.
func Open(ctx context.Context, db *store.DB, sealer keystore.Sealer, clk clock.Clock) (*Authority, error) {
	if clk == nil {
		clk = clock.Real{}
	}
	certPEM, sealed, err := loadOrInsert(ctx, db, func() (string, string, error) {
		return newCA(sealer, clk.Now())
	})
	if err != nil {
		return nil, fmt.Errorf("tls ca: %w", err)
	}
	cert, err := pki.ParseCertificatePEM([]byte(certPEM))
	if err != nil {
		return nil, fmt.Errorf("tls ca certificate: %w", err)
	}
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return nil, fmt.Errorf("tls ca key: %w", err)
	}
	der, err := sealer.Open(raw, []byte(keyAssociation))
	if err != nil {
		return nil, fmt.Errorf("tls ca key: %w", err)
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("tls ca key: %w", err)
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, errors.New("tls ca key: not a signing key")
	}
	return &Authority{cert: cert, certPEM: []byte(certPEM), key: signer, clock: clk}, nil
}

func newCA(sealer keystore.Sealer, now time.Time) (certPEM, sealedKey string, err error) {
	key, err := pki.GenerateKey(pki.ECPrime256v1)
	if err != nil {
		return "", "", err
	}
	serial, err := pki.NewSerial(nil)
	if err != nil {
		return "", "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"OpenPCA"}, CommonName: "OpenPCA internal TLS CA " + pki.SerialHex(serial)[:8]},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(CAValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return "", "", err
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", err
	}
	sealed, err := sealer.Seal(pk, []byte(keyAssociation))
	if err != nil {
		return "", "", err
	}
	return string(pki.EncodeCertPEM(der)), base64.StdEncoding.EncodeToString(sealed), nil
}

// BundlePEM is the CA certificate clients trust (the aws CLI's ca_bundle).
func (a *Authority) BundlePEM() []byte { return slices.Clone(a.certPEM) }

// Certificate is the CA certificate.
func (a *Authority) Certificate() *x509.Certificate { return a.cert }

// Issue makes a server certificate for names (DNS names and IP addresses)
// with a fresh key, valid for LeafValidity from now.
func (a *Authority) Issue(names []string) (*tls.Certificate, error) {
	now := a.clock.Now()
	key, err := pki.GenerateKey(pki.ECPrime256v1)
	if err != nil {
		return nil, err
	}
	serial, err := pki.NewSerial(nil)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{Organization: []string{"OpenPCA"}},
		NotBefore:    now.Add(-backdate),
		NotAfter:     now.Add(LeafValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if tmpl.NotAfter.After(a.cert.NotAfter) {
		tmpl.NotAfter = a.cert.NotAfter
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if n != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	if len(tmpl.DNSNames) > 0 {
		tmpl.Subject.CommonName = tmpl.DNSNames[0]
	} else if len(tmpl.IPAddresses) > 0 {
		tmpl.Subject.CommonName = tmpl.IPAddresses[0].String()
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, key.Public(), a.key)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{Certificate: [][]byte{der, a.cert.Raw}, PrivateKey: key, Leaf: leaf}, nil
}

// Server holds the listener's current certificate and renews it.
type Server struct {
	ca    *Authority
	names []string
	cur   atomic.Pointer[tls.Certificate]
	mu    sync.Mutex // one renewal at a time
}

// NewServer issues the first certificate for names.
func NewServer(ca *Authority, names []string) (*Server, error) {
	s := &Server{ca: ca, names: slices.Clone(names)}
	c, err := ca.Issue(s.names)
	if err != nil {
		return nil, err
	}
	s.cur.Store(c)
	return s, nil
}

// GetCertificate is tls.Config.GetCertificate.
func (s *Server) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return s.cur.Load(), nil
}

// Current is the certificate served now.
func (s *Server) Current() *tls.Certificate { return s.cur.Load() }

// RenewIfDue replaces the certificate when less than RenewBefore of its
// validity is left (by the injected clock) and reports whether it did.
func (s *Server) RenewIfDue() (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ca.clock.Now().Before(s.cur.Load().Leaf.NotAfter.Add(-RenewBefore)) {
		return false, nil
	}
	c, err := s.ca.Issue(s.names)
	if err != nil {
		return false, err
	}
	s.cur.Store(c)
	return true, nil
}

// Run checks for renewal every interval until ctx ends; failures are
// passed to report and retried at the next check.
func (s *Server) Run(ctx context.Context, interval time.Duration, report func(renewed bool, err error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			renewed, err := s.RenewIfDue()
			if report != nil && (renewed || err != nil) {
				report(renewed, err)
			}
		}
	}
}

// TLSConfig is the listener's configuration: TLS 1.2 or later, the
// current certificate on every handshake.
func (s *Server) TLSConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: s.GetCertificate}
}

// BundleFile is the CA bundle's file name in the data directory.
const BundleFile = "ca-bundle.pem"
