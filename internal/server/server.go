// Package server wires OpenPCA together: it opens the store and the master
// key, builds the domain services and the wire bindings, bootstraps the
// first account, and serves HTTP until asked to stop. It decides nothing.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/openpca/openpca/internal/acm"
	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/awsapi/acmapi"
	"github.com/openpca/openpca/internal/awsapi/cloudtrailapi"
	"github.com/openpca/openpca/internal/awsapi/iamapi"
	"github.com/openpca/openpca/internal/awsapi/orgapi"
	"github.com/openpca/openpca/internal/awsapi/pcaapi"
	"github.com/openpca/openpca/internal/awsapi/ramapi"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/console"
	"github.com/openpca/openpca/internal/iam"
	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/metrics"
	"github.com/openpca/openpca/internal/org"
	"github.com/openpca/openpca/internal/pca"
	"github.com/openpca/openpca/internal/pkihttp"
	"github.com/openpca/openpca/internal/ram"
	"github.com/openpca/openpca/internal/regions"
	"github.com/openpca/openpca/internal/store"
	"github.com/openpca/openpca/internal/trail"
)

// Config is what the server needs to start.
type Config struct {
	DataDir string
	// Serving marks `openpca serve` (not an admin command opening the
	// store beside it): on the embedded store it is the one server, takes
	// openpca.serve.lock and drops the leases a crashed predecessor held.
	Serving bool
	// Database is a postgres:// URL of the shared database; "" keeps the
	// SQLite file in DataDir. Several servers may share one PostgreSQL
	// database (same master key); DataDir still holds local files.
	Database string
	// Region is the default region: the generated profile's, and where
	// internal callers' CAs go. It must be served.
	Region string
	// Regions are the regions served (zero: every region of every
	// partition); requests scoped to another fail authentication.
	Regions regions.Set
	// MasterKey is the base64 key from $OPENPCA_MASTER_KEY; empty means the
	// key file in DataDir.
	MasterKey string
	Clock     clock.Clock
	Logger    *slog.Logger
	// PublicURL is the base URL written into issued certificates' CRL
	// distribution points and OCSP locations ("" leaves them out).
	PublicURL string
	// CRLDir, when set, also receives every published CRL (for a static
	// web server).
	CRLDir string
	// RateLimit is the request rate allowed per account per second (0: no
	// limit) and RateBurst its bucket size; over it: ThrottlingException.
	RateLimit float64
	RateBurst int
	// PKCS11, when its Module is set, makes new CA keys in that token;
	// CAs with software keys keep working.
	PKCS11 keystore.PKCS11Config
	// MetricsSeparate keeps GET /metrics off the main handler: the caller
	// serves App.Metrics.Handler() on a listener of its own.
	MetricsSeparate bool
	// NoTrail and NoMetrics turn the call trail and the metrics off
	// (benchmarks measure their cost).
	NoTrail, NoMetrics bool
}

// App is an opened OpenPCA instance.
type App struct {
	cfg      Config
	DB       *store.DB
	IAM      *iam.Service
	IAMStore *iam.Store
	Org      *org.Service
	PCA      *pca.Service
	ACM      *acm.Service
	RAM      *ram.Service
	Authz    *authz.Engine
	Trail    *trail.Service
	TrailDB  *store.DB // the trail's own file on SQLite; DB on PostgreSQL
	Metrics  *metrics.Metrics
	Handler  http.Handler
	ready    atomic.Bool

	masterKey *keystore.MasterKey
	lock      *dirLock    // shared: no master-key rotation while open
	tlsConfig *tls.Config // nil: plain HTTP
	caBundle  string      // the internal CA's bundle file, for profiles
	hsm       keystore.ClosableKeyStore
}

// Open opens the data directory and builds every service.
func Open(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Region == "" {
		cfg.Region = regions.Default
	}
	if !cfg.Regions.Serves(cfg.Region) {
		return nil, fmt.Errorf("default region %q is not among the served regions (%s)", cfg.Region, strings.Join(cfg.Regions.Names(), ","))
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	lock, err := lockDataDir(cfg.DataDir, false)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.Database, cfg.DataDir)
	if err != nil {
		lock.release()
		return nil, err
	}
	if cfg.Serving && db.Engine() == store.SQLite {
		// One serve process per embedded store: the leases in it were
		// held by a predecessor that is gone (a crash), so they go now
		// instead of blocking CRL publication until they expire.
		serveLock, err := lockEmbeddedServe(cfg.DataDir)
		if err == nil {
			err = db.DropLeases(ctx)
			if err != nil {
				serveLock.release()
			}
		}
		if err != nil {
			db.Close()
			lock.release()
			return nil, err
		}
		lock = lock.with(serveLock)
	}
	mk, err := openMasterKey(ctx, db, cfg)
	if err != nil {
		db.Close()
		lock.release()
		return nil, err
	}
	iamStore := iam.NewStore(db, mk, cfg.Clock, iam.Config{Partition: "aws"})
	iamStore.ListenCredentialChanges() // other servers' IAM writes drop cached keys
	orgStore := org.NewStore(db, cfg.Clock, org.Config{Partition: "aws"})
	engine := authz.New(iamStore, orgStore, cfg.Clock)
	iamSvc := iam.New(iamStore, engine)
	orgSvc := org.New(orgStore, iamStore, engine)
	m := metrics.New(cfg.Clock)
	db.OnTx = m.StoreTx
	keys, hsm, err := keyStores(cfg, mk)
	if err != nil {
		db.Close()
		return nil, err
	}
	pcaSvc := pca.New(db, keys, engine, cfg.Clock, pca.Config{
		Region:        cfg.Region,
		PublicBaseURL: cfg.PublicURL, CRLDir: cfg.CRLDir, AuditDir: filepath.Join(cfg.DataDir, "audit"),
		Logger: cfg.Logger, Metrics: pcaMetrics(m, cfg.NoMetrics),
	})
	pcaSvc.SetDirectory(iamStore)       // who-can enumerates IAM principals
	pcaSvc.SetPrincipalMapper(iamStore) // CA policies keep users and roles by unique ID
	ramSvc := ram.New(ram.Deps{DB: db, Engine: engine, Clock: cfg.Clock, CAs: pcaSvc, Orgs: orgStore,
		OrgAdmin: orgSvc, SLRs: iamSvc, Logger: cfg.Logger})
	pcaSvc.SetSharing(ramSvc)
	ramSvc.RunExpiry(time.Minute)
	acmSvc := acm.New(db, pcaSvc, acmRoles{store: iamStore, svc: iamSvc, partition: "aws"}, engine, cfg.Clock, mk,
		acm.Config{Partition: "aws", Logger: cfg.Logger, OnRenewal: m.Renewal})
	trailDB, err := openTrailDB(ctx, db, cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	trailSvc := trail.New(trailDB, engine, cfg.Clock, cfg.Logger, m.TrailBatch)
	var observers observers
	if !cfg.NoMetrics {
		observers = append(observers, m)
	}
	if !cfg.NoTrail {
		observers = append(observers, cloudtrailapi.Recorder{Trail: trailSvc})
	}

	// Closed accounts' credentials stop working (CloseAccount).
	creds := orgapi.GuardCredentials(orgStore, credentialStore{iamStore})
	api := awsapi.New(awsapi.Config{
		Region:    cfg.Region,
		Regions:   cfg.Regions,
		Clock:     cfg.Clock,
		Logger:    cfg.Logger,
		RateLimit: cfg.RateLimit,
		RateBurst: cfg.RateBurst,
		Observer:  observers.or(),
	}, creds, iamapi.IAM(iamSvc), iamapi.STS(iamSvc), orgapi.Service(orgSvc), pcaapi.Service(pcaSvc), ramapi.Service(ramSvc), acmapi.Service(acmSvc),
		cloudtrailapi.Service(trailSvc))

	a := &App{cfg: cfg, DB: db, IAM: iamSvc, IAMStore: iamStore, Org: orgSvc, PCA: pcaSvc, RAM: ramSvc, ACM: acmSvc, Authz: engine,
		Trail: trailSvc, TrailDB: trailDB, Metrics: m, masterKey: mk, hsm: hsm, lock: lock}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.healthz)
	if !cfg.MetricsSeparate {
		// Unauthenticated, as Prometheus scrapes (docs/observability.md).
		mux.Handle("GET /metrics", m.Handler())
	}
	mux.Handle("/", api)
	con, err := console.New(console.Config{DB: db, IAM: iamSvc, IAMStore: iamStore, Org: orgSvc, PCA: pcaSvc, ACM: acmSvc,
		RAM: ramSvc, Clock: cfg.Clock, Logger: cfg.Logger, Region: cfg.Region})
	if err != nil {
		a.Trail.Close()
		a.closeTrailDB()
		db.Close()
		return nil, fmt.Errorf("console: %w", err)
	}
	mux.Handle(console.Prefix, con)
	mux.Handle("/console", con)
	// CRL and OCSP are matched before the mux: ServeMux would redirect OCSP
	// GET paths, whose base64 may contain "//".
	a.Handler = pkihttp.New(pkihttp.Config{PCA: pcaSvc, Credentials: creds, Clock: cfg.Clock, Logger: cfg.Logger}, mux)
	return a, nil
}

func (a *App) healthz(w http.ResponseWriter, _ *http.Request) {
	if !a.ready.Load() {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// SetReady marks the instance ready for /healthz.
func (a *App) SetReady(ok bool) { a.ready.Store(ok) }

// Close commits queued work and releases the database.
func (a *App) Close() error {
	a.ACM.Close()
	a.RAM.Close()
	a.PCA.Close()
	a.Trail.Close()
	a.closeTrailDB()
	err := a.DB.Close()
	if a.hsm != nil {
		_ = a.hsm.Close()
	}
	a.lock.release()
	return err
}

// keyStores builds the CA key custody: software keys sealed by the master
// key, and with cfg.PKCS11 a token that generates every new CA key.
func keyStores(cfg Config, mk *keystore.MasterKey) (*keystore.Router, keystore.ClosableKeyStore, error) {
	soft := keystore.NewSoftware(mk, 0)
	keys := &keystore.Router{Default: soft, ByScheme: map[string]keystore.KeyStore{keystore.SoftwareScheme: soft}}
	if cfg.PKCS11.Module == "" {
		return keys, nil, nil
	}
	hsm, err := keystore.OpenPKCS11(cfg.PKCS11)
	if err != nil {
		return nil, nil, err
	}
	keys.Default = hsm
	keys.ByScheme[keystore.PKCS11Scheme] = hsm
	return keys, hsm, nil
}

// Connection timeouts of the listener (docs/security.md).
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 60 * time.Second // headers and the whole body
	WriteTimeout      = 2 * time.Minute
	IdleTimeout       = 2 * time.Minute
)

// Serve serves on ln until ctx is cancelled, then drains in-flight requests
// for up to drain before returning.
func (a *App) Serve(ctx context.Context, ln net.Listener, drain time.Duration) error {
	srv := &http.Server{
		Handler: a.Handler,
		// A stalled sender holds a connection (and, once authenticated in
		// its headers, budgeted body memory) at most this long.
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.cfg.Logger.Handler(), slog.LevelWarn),
	}
	if a.tlsConfig != nil {
		ln = tls.NewListener(ln, a.tlsConfig)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// Background work runs only in a serving process, never in admin
	// commands that open the same data directory.
	a.ACM.Start()
	a.Trail.RunPrune(time.Hour)
	a.SetReady(true)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.SetReady(false)
	sctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("drain: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// credentialStore adapts the IAM store to the wire layer's lookup.
type credentialStore struct{ s *iam.Store }

func (c credentialStore) LookupCredential(ctx context.Context, id string) (*awsapi.Credential, error) {
	k, err := c.s.LookupCredential(ctx, id)
	if err != nil || k == nil {
		return nil, err
	}
	return &awsapi.Credential{
		SecretAccessKey: k.SecretAccessKey,
		SessionToken:    k.SessionToken,
		Expiration:      k.Expiration,
		Principal:       k.Principal,
	}, nil
}
