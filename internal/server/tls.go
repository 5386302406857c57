package server

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/openpca/openpca/internal/tlsca"
)

// TLSOptions says how the listener is secured.
type TLSOptions struct {
	// CertFile and KeyFile are the operator's certificate (chain) and key;
	// when empty, OpenPCA's internal CA issues the certificate.
	CertFile, KeyFile string
	// Names are the DNS names and IP addresses the internal CA's
	// certificate covers (see ListenNames).
	Names []string
	// RenewCheck is how often the internal certificate's expiry is checked
	// (1 h when zero).
	RenewCheck time.Duration
}

// EnableTLS makes Serve speak TLS only. Without operator files the internal
// CA (created on first use, key sealed by the master key, kept in the
// database) issues the certificate and renews it until ctx ends, and its
// bundle is written to DATA_DIR/ca-bundle.pem for Bootstrap to put into the
// profiles as ca_bundle.
func (a *App) EnableTLS(ctx context.Context, opts TLSOptions) error {
	if opts.CertFile != "" || opts.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(opts.CertFile, opts.KeyFile)
		if err != nil {
			return fmt.Errorf("tls: %w", err)
		}
		a.tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
		a.caBundle = ""
		return nil
	}
	ca, err := tlsca.Open(ctx, a.DB, a.masterKey, a.cfg.Clock)
	if err != nil {
		return err
	}
	srv, err := tlsca.NewServer(ca, opts.Names)
	if err != nil {
		return fmt.Errorf("tls: server certificate: %w", err)
	}
	bundle := filepath.Join(a.cfg.DataDir, tlsca.BundleFile)
	if err := writeFileAtomic(bundle, ca.BundlePEM(), 0o644); err != nil {
		return fmt.Errorf("tls: write CA bundle: %w", err)
	}
	if abs, err := filepath.Abs(bundle); err == nil {
		bundle = abs
	}
	every := opts.RenewCheck
	if every <= 0 {
		every = time.Hour
	}
	go srv.Run(ctx, every, func(renewed bool, err error) {
		if err != nil {
			a.cfg.Logger.Error("tls: renewing the server certificate failed", "error", err.Error())
			return
		}
		a.cfg.Logger.Info("tls: renewed the server certificate", "not_after", srv.Current().Leaf.NotAfter)
	})
	a.tlsConfig = srv.TLSConfig()
	a.caBundle = bundle
	return nil
}

// TLSEnabled reports whether Serve speaks TLS.
func (a *App) TLSEnabled() bool { return a.tlsConfig != nil }

// CABundle is the absolute path of the internal CA's bundle, "" when the
// internal CA is not in use.
func (a *App) CABundle() string { return a.caBundle }

// IsLoopback reports whether a listen address (HOST:PORT) accepts only
// local connections; an empty or unspecified host listens everywhere.
func IsLoopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ListenNames are the names a server certificate needs for a listener on
// host: the loopback names, the machine's host name, the host itself, and
// every interface address when host is unspecified; extra names (the public
// URL's host, --tls-name) are added.
func ListenNames(host string, extra ...string) []string {
	names := []string{"localhost", "127.0.0.1", "::1"}
	if h, err := os.Hostname(); err == nil && h != "" {
		names = append(names, h)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		if addrs, err := net.InterfaceAddrs(); err == nil {
			for _, a := range addrs {
				if n, ok := a.(*net.IPNet); ok {
					names = append(names, n.IP.String())
				}
			}
		}
	} else {
		names = append(names, host)
	}
	names = append(names, extra...)
	slices.Sort(names)
	return slices.Compact(names)
}

// writeFileAtomic replaces path with data through a rename.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp, mode)
	}
	if werr != nil {
		os.Remove(tmp)
		return werr
	}
	return os.Rename(tmp, path)
}
