// Package pca is the acm-pca domain service: certificate authorities (their
// lifecycle, keys held by a keystore, CA certificates) and the certificates
// they issue. Every operation authorizes through authz with the CA ARN as the
// resource, keeps the state machine of reference §2.10, and answers typed
// domain errors (errors.go) that pcaapi maps to AWS codes.
//
// Issuance is durable: a certificate ARN is answered only after its row is
// committed. Concurrent issuances share commits through a group-commit
// batcher (batcher.go), so throughput is bound by signing, not by fsync.
package pca

import (
	"context"
	"crypto/x509"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/pagetoken"
	"github.com/openpca/openpca/internal/pki"
	"github.com/openpca/openpca/internal/regions"
	"github.com/openpca/openpca/internal/store"
)

// Defaults of Config.
const (
	DefaultCAQuota      = 200
	DefaultBatchMax     = 256
	DefaultBatchWait    = 2 * time.Millisecond
	idempotencyWindow   = 5 * time.Minute
	defaultDeletionDays = 30

	DefaultOCSPValidity     = time.Hour
	DefaultOCSPCacheTTL     = 5 * time.Minute
	DefaultCRLDebounce      = 100 * time.Millisecond
	DefaultCRLCheckInterval = time.Minute
)

// Config is the service's configuration.
type Config struct {
	// Region is the default region: where CAs go for callers without one
	// (internal tools); requests from the edge carry their own. "us-east-1"
	// when empty.
	Region string
	// Partition is not read: each CA's partition follows its region.
	// Kept so that wiring written before regions compiles.
	Partition string
	// CAQuota is the number of CAs an account may hold, restorable deleted
	// ones included (AWS: 200). Zero means DefaultCAQuota.
	CAQuota int
	// BatchMax bounds the certificates committed in one transaction;
	// BatchWait bounds how long a batch waits for issuances still being
	// signed. Zero values take the defaults.
	BatchMax  int
	BatchWait time.Duration

	// PublicBaseURL is this server's URL as relying parties reach it
	// ("http://pki.example.com:8080", no trailing slash): the base of the
	// CRL distribution point (<base>/crl/<ca-id>.crl) and of the OCSP URL
	// (<base>/ocsp) put into issued certificates when the CA names no
	// custom CNAME. Empty: such certificates carry no CDP or AIA.
	PublicBaseURL string
	// CRLDir, when set, also receives every CRL published, at its URL
	// path under the CA account's directory (<CRLDir>/<account>/crl/<id>.crl,
	// like the account's own S3 bucket), for a static web server.
	CRLDir string
	// AuditDir is the root of the local "buckets" audit reports are
	// written to (<AuditDir>/<bucket>/<S3Key>). Empty disables audit
	// reports (RequestFailedException).
	AuditDir string
	// OCSPValidity is nextUpdate − thisUpdate of OCSP responses;
	// OCSPCacheTTL bounds how long a signed response is reused (revoking
	// the certificate drops it at once on this server; other servers
	// sharing the database see the revocation within the TTL).
	OCSPValidity time.Duration
	OCSPCacheTTL time.Duration
	// CRLDebounce is how long CRL regeneration waits after a revocation
	// to absorb the next ones; CRLCheckInterval is how often the
	// scheduler looks for CRLs due before their nextUpdate.
	CRLDebounce      time.Duration
	CRLCheckInterval time.Duration

	// Logger receives operational warnings; slog.Default when nil.
	Logger *slog.Logger

	// Metrics hooks (internal/server wires them; nil: unused).
	Metrics Metrics
}

// Metrics receives measurements; implementations must be quick.
type Metrics interface {
	CertificateIssued(caARN, templateARN string)
	CommitBatch(size int)
	CRLGenerated(caARN string, thisUpdate time.Time)
	OCSPServed(age time.Duration)
}

// Service implements the acm-pca operations.
type Service struct {
	db     *store.DB
	keys   keystore.KeyStore
	engine *authz.Engine
	clk    clock.Clock
	cfg    Config

	batch     *batcher
	stmts     *prepared
	closeOnce sync.Once
	closed    atomic.Bool
	pages     *pagetoken.Sealer // signs pagination tokens

	// idem serializes requests that carry the same idempotency token, so
	// two concurrent retries cannot both create.
	idemMu sync.Mutex
	idem   map[string]*idemLock

	// policy caches each CA's resource policy and holds the who-can directory.
	policy policyState
	// cas caches CA rows (ca_cache.go).
	cas caCache

	// recent holds issued certificates' bodies (recent_certs.go).
	recent recentCerts

	// certCache holds parsed CA certificates by CA id.
	certMu    sync.Mutex
	certCache map[string]*cachedCert

	rev    *revocation // CRL publisher, OCSP caches, audit workers
	keygen *keygen     // CA key generation off the request path

	sharing Sharing // RAM, when wired (shared.go)
}

type idemLock struct {
	mu   sync.Mutex
	refs int
}

type cachedCert struct {
	der  string
	cert *x509.Certificate
}

// New builds the service and starts its commit batcher; call Close to stop
// it. It panics when the hot queries do not prepare (the migrations have
// not run): a wiring error, not a runtime condition.
func New(db *store.DB, keys keystore.KeyStore, engine *authz.Engine, clk clock.Clock, cfg Config) *Service {
	if cfg.Region == "" {
		cfg.Region = regions.Default
	}
	if cfg.CAQuota <= 0 {
		cfg.CAQuota = DefaultCAQuota
	}
	if cfg.BatchMax <= 0 {
		cfg.BatchMax = DefaultBatchMax
	}
	if cfg.BatchWait <= 0 {
		cfg.BatchWait = DefaultBatchWait
	}
	cfg.PublicBaseURL = strings.TrimRight(cfg.PublicBaseURL, "/")
	if cfg.OCSPValidity <= 0 {
		cfg.OCSPValidity = DefaultOCSPValidity
	}
	if cfg.OCSPCacheTTL <= 0 {
		cfg.OCSPCacheTTL = DefaultOCSPCacheTTL
	}
	if cfg.CRLDebounce <= 0 {
		cfg.CRLDebounce = DefaultCRLDebounce
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.CRLCheckInterval <= 0 {
		cfg.CRLCheckInterval = DefaultCRLCheckInterval
	}
	// Page tokens stay valid on every server of the database.
	key, err := db.SharedKey(context.Background(), "pca_page_token_key")
	if err != nil {
		panic("pca: page token key: " + err.Error())
	}
	s := &Service{db: db, keys: keys, engine: engine, clk: clk, cfg: cfg, pages: pagetoken.WithKey(key),
		idem: map[string]*idemLock{}, certCache: map[string]*cachedCert{}}
	if err := backfillRegions(context.Background(), db); err != nil {
		panic("pca: fill in CA regions: " + err.Error())
	}
	stmts, err := prepare(db.DB)
	if err != nil {
		panic("pca: prepare queries: " + err.Error())
	}
	s.stmts = stmts
	s.listenInvalidations()
	s.batch = newBatcher(db, cfg.BatchMax, cfg.BatchWait)
	s.batch.metrics = cfg.Metrics
	rev, err := newRevocation(s)
	if err != nil {
		panic("pca: prepare revocation queries: " + err.Error())
	}
	s.rev = rev
	go rev.loop()
	s.keygen = newKeygen(s)
	s.keygen.recover(context.Background())
	return s
}

// Close stops the batcher after committing what is queued. Issuances
// arriving later fail with RequestFailedException.
func (s *Service) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.keygen.close()
		s.rev.close()
		s.batch.close()
		s.stmts.close()
	})
	return nil
}

// Commits reports how many certificate-insert transactions have committed
// (a test and metrics hook: with concurrent issuance it is well below the
// number of certificates).
func (s *Service) Commits() int64 { return s.batch.commits.Load() }

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
var accountRE = regexp.MustCompile(`^[0-9]{12}$`)

// regionOf is the region caller acts in: the one its request was signed
// for, else the default (internal callers).
func (s *Service) regionOf(caller *authz.Caller) string {
	if caller != nil && caller.Region != "" {
		return caller.Region
	}
	return s.cfg.Region
}

// caARN formats a CA ARN; the partition is the region's.
func caARN(region, account, id string) string {
	return "arn:" + regions.PartitionOf(region) + ":acm-pca:" + region + ":" + account + ":certificate-authority/" + id
}

// parseCAARN checks a CA ARN's form (a known region in its own partition)
// and returns its region, account and id.
func parseCAARN(arn string) (region, account, id string, err error) {
	parts := strings.SplitN(arn, ":", 6)
	bad := errf(ErrInvalidArn, "The ARN %s is not a valid certificate authority ARN.", arn)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "acm-pca" ||
		parts[1] == "" || parts[1] != regions.PartitionOf(parts[3]) || !accountRE.MatchString(parts[4]) {
		return "", "", "", bad
	}
	id, ok := strings.CutPrefix(parts[5], "certificate-authority/")
	if !ok || !uuidRE.MatchString(id) {
		return "", "", "", bad
	}
	return parts[3], parts[4], id, nil
}

// awsTemplatePrefix is the template ARN prefix in the aws partition, under
// which pki keys its templates.
const awsTemplatePrefix = "arn:aws:acm-pca:::template/"

// lookupTemplate resolves a template ARN for a CA of partition: templates
// are named in the CA's own partition (arn:aws-us-gov:acm-pca:::template/…
// for a us-gov CA); "" is the default template. It also returns the
// template's ARN in that partition, as certificates record it.
func lookupTemplate(partition, arn string) (*pki.Template, string, error) {
	prefix := "arn:" + partition + ":acm-pca:::template/"
	key := arn
	if rest, ok := strings.CutPrefix(arn, prefix); ok {
		key = awsTemplatePrefix + rest
	} else if arn != "" && partition != regions.AWS && strings.HasPrefix(arn, awsTemplatePrefix) {
		return nil, "", errf(ErrInvalidArgs, "The template %q does not exist.", arn)
	}
	t, err := pki.LookupTemplate(key)
	if err != nil {
		return nil, "", fromPKI(err)
	}
	return t, prefix + strings.TrimPrefix(t.ARN(), awsTemplatePrefix), nil
}

// loadCA resolves a CA ARN to its row: InvalidArn for a malformed ARN,
// ResourceNotFound for an unknown or permanently deleted CA, or one of
// another region than caller's (CAs are regional; an internal caller
// without a region sees every region). The row may come from the cache and
// must not be modified.
func (s *Service) loadCA(ctx context.Context, caller *authz.Caller, arn string) (*caRow, error) {
	return s.resolveCA(ctx, caller, arn, false)
}

// loadCAFresh is loadCA reading the database, for the operations that
// change the CA.
func (s *Service) loadCAFresh(ctx context.Context, caller *authz.Caller, arn string) (*caRow, error) {
	return s.resolveCA(ctx, caller, arn, true)
}

func (s *Service) resolveCA(ctx context.Context, caller *authz.Caller, arn string, fresh bool) (*caRow, error) {
	if s.closed.Load() {
		return nil, errf(ErrRequestFailed, "The service is shutting down; please retry.")
	}
	region, account, id, err := parseCAARN(arn)
	if err != nil {
		return nil, err
	}
	if caller != nil && caller.Region != "" && region != caller.Region {
		return nil, notFoundCA(arn)
	}
	ca, err := s.getCAFrom(ctx, id, fresh)
	if err != nil {
		return nil, err
	}
	if ca == nil || ca.Owner != account || ca.Region != region {
		return nil, notFoundCA(arn)
	}
	if ca.gone(s.clk.Now()) {
		s.purgeCA(ctx, ca)
		return nil, notFoundCA(arn)
	}
	return ca, nil
}

// lockIdem serializes callers sharing an idempotency key; the returned
// function releases the lock.
func (s *Service) lockIdem(key string) func() {
	s.idemMu.Lock()
	l := s.idem[key]
	if l == nil {
		l = &idemLock{}
		s.idem[key] = l
	}
	l.refs++
	s.idemMu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		s.idemMu.Lock()
		if l.refs--; l.refs == 0 {
			delete(s.idem, key)
		}
		s.idemMu.Unlock()
	}
}

// caCert parses (once) the CA's installed certificate.
func (s *Service) caCert(ca *caRow) (*x509.Certificate, error) {
	if len(ca.Cert) == 0 {
		return nil, nil
	}
	s.certMu.Lock()
	c := s.certCache[ca.ID]
	s.certMu.Unlock()
	if c != nil && c.der == string(ca.Cert) {
		return c.cert, nil
	}
	cert, err := x509.ParseCertificate(ca.Cert)
	if err != nil {
		return nil, &Error{Kind: ErrRequestFailed, Msg: "The stored CA certificate does not parse.", Err: err}
	}
	s.certMu.Lock()
	s.certCache[ca.ID] = &cachedCert{der: string(ca.Cert), cert: cert}
	s.certMu.Unlock()
	s.rev.issuers.add(ca.ID, cert) // the OCSP responder finds the CA by its key hash
	return cert, nil
}

// Pagination tokens are an offset bound to the query (scope) and signed, so
// a token from another query or a forged one is refused.
func (s *Service) makeToken(scope string, offset int) string {
	return s.pages.SealOffset(scope, offset)
}

func (s *Service) parseToken(scope, tok string) (int, error) {
	if tok == "" {
		return 0, nil
	}
	off, ok := s.pages.OpenOffset(scope, tok)
	if !ok {
		return 0, errf(ErrInvalidNextToken, "The token %s is not valid.", tok)
	}
	return off, nil
}

func pageSize(max *int32, limit int) int {
	if max == nil || int(*max) > limit {
		return limit
	}
	if *max < 1 {
		return 1
	}
	return int(*max)
}
