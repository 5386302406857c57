// Package acm owns managed private certificates: ACM's RequestCertificate
// from a private CA, their keys (sealed by the master key), export, the
// durable issuance queue, and managed renewal through the service-linked
// role, with its failures shown in the requester's account. It never signs
// anything itself: it asks pca, as the principal ACM acts as.
package acm

import (
	"context"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/pca"
	"github.com/openpca/openpca/internal/regions"
	"github.com/openpca/openpca/internal/store"
)

// Timing rules of managed renewal (aws-semantics.md §6.4) and issuance.
const (
	// Validity of a managed private certificate: 395 days.
	Validity = 395 * 24 * time.Hour
	// RenewBefore: renewal attempts start this long before NotAfter.
	RenewBefore = 60 * 24 * time.Hour
	// RetryInterval: a failed renewal is tried again after this long.
	RetryInterval = time.Hour
	// idempotencyWindow: a repeated IdempotencyToken returns the earlier ARN.
	idempotencyWindow = time.Hour
	// lease bounds how long one worker holds a certificate's work.
	lease = 30 * time.Second
	// issueRetry: a first issuance that failed for an internal reason
	// (not a CA answer) is tried again after this long.
	issueRetry = time.Minute
	// maxDomains is the default quota of names per certificate.
	maxDomains = 10
	// defaultDaysBeforeExpiry is GetAccountConfiguration's default.
	defaultDaysBeforeExpiry = 45
	acmService              = "acm.amazonaws.com"
)

// CA is what ACM needs from the Private CA service.
type CA interface {
	CAFacts(ctx context.Context, arn string) (*pca.CAFacts, error)
	IssueCertificate(ctx context.Context, caller *authz.Caller, in *pca.IssueCertificateInput) (*pca.IssueCertificateOutput, error)
	IssuedCertificate(ctx context.Context, certARN string) (cert, chain string, err error)
	RevokeCertificate(ctx context.Context, caller *authz.Caller, in *pca.RevokeCertificateInput) (*pca.Empty, error)
	// CanIssue asks the CA's authorization question without signing.
	CanIssue(ctx context.Context, caller *authz.Caller, caARN string) error
}

// Roles finds and creates ACM's service-linked role in an account.
type Roles interface {
	// ServiceLinkedRole returns the principal of a session of
	// AWSServiceRoleForCertificateManager in account, nil when the role
	// does not exist.
	ServiceLinkedRole(ctx context.Context, account, region string) (*authz.Principal, error)
	// CreateServiceLinkedRole creates it with caller's own permissions
	// (iam:CreateServiceLinkedRole); an error says why it could not.
	CreateServiceLinkedRole(ctx context.Context, caller *authz.Caller) error
}

// Config tunes the service.
type Config struct {
	Partition string // "aws" when empty
	// PollInterval is how often the worker looks for due work besides the
	// wake-ups RequestCertificate and RenewCertificate send (1 s).
	PollInterval time.Duration
	Logger       *slog.Logger
	// OnRenewal, when set, sees each renewal attempt's outcome: the
	// RenewalStatus and its reason ("" on success) (metrics).
	OnRenewal func(status, reason string)
}

// Service is the ACM domain service.
type Service struct {
	db     *store.DB
	ca     CA
	roles  Roles
	engine *authz.Engine
	clk    clock.Clock
	sealer keystore.Sealer
	cfg    Config

	kick     chan struct{}
	stop     chan struct{}
	done     chan struct{}
	startOne sync.Once
	stopOne  sync.Once
	// runMu makes RunDue calls from the worker and from tests take turns.
	runMu sync.Mutex
	// holder names this server in the leases it takes (lease_holder).
	holder string
}

// New builds the service; Start runs its worker.
func New(db *store.DB, ca CA, roles Roles, engine *authz.Engine, clk clock.Clock, sealer keystore.Sealer, cfg Config) *Service {
	if cfg.Partition == "" {
		cfg.Partition = "aws"
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{db: db, ca: ca, roles: roles, engine: engine, clk: clk, sealer: sealer, cfg: cfg,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}), holder: uuid.NewString()}
}

// Start runs the worker that issues requested certificates and renews due
// ones, until Close.
func (s *Service) Start() {
	s.startOne.Do(func() { go s.loop() })
}

// Close stops the worker and waits for it.
func (s *Service) Close() {
	s.stopOne.Do(func() {
		close(s.stop)
		s.startOne.Do(func() { close(s.done) }) // never started
		<-s.done
	})
}

func (s *Service) loop() {
	defer close(s.done)
	t := time.NewTicker(s.cfg.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		case <-s.kick:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if _, err := s.RunDue(ctx); err != nil {
			s.cfg.Logger.Error("acm: worker", "error", err.Error())
		}
		cancel()
	}
}

func (s *Service) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// claimBatch is how many due rows one transaction leases; they are worked
// concurrently and stored in one transaction, so that issuance overlaps the
// CA's group commits and the rows share one durable write.
const claimBatch = 64

// RunDue does every piece of work due at the clock's now (first issuances,
// renewal attempts) and reports how many certificates it worked on.
func (s *Service) RunDue(ctx context.Context) (int, error) {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	n := 0
	for {
		now := s.clk.Now()
		rows, err := s.claimDue(ctx, now, lease, claimBatch)
		if err != nil || len(rows) == 0 {
			return n, err
		}
		n += len(rows)
		s.workAll(ctx, rows, now)
		if err := s.saveWorked(ctx, rows, now.Add(lease)); err != nil {
			return n, err // the leases expire and another pass redoes the work
		}
	}
}

// workAll works the leased rows, several at a time: key generation and
// signing use every core, and concurrent issuances share the CA's commits.
func (s *Service) workAll(ctx context.Context, rows []*certRow, now time.Time) {
	sem := make(chan struct{}, 4*runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for _, r := range rows {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			s.work(ctx, r, now)
		}()
	}
	wg.Wait()
}

// work does what is due for r and releases its lease; the caller stores r.
func (s *Service) work(ctx context.Context, r *certRow, now time.Time) {
	switch {
	case r.Status == statusPending:
		s.issueFirst(ctx, r, now)
	case r.Status == statusIssued && r.Exported:
		s.renew(ctx, r, now)
	default:
		r.NextAttemptAt = time.Time{}
	}
	r.LeaseUntil = time.Time{}
}

// certARN is a new certificate ARN in the region's partition.
func (s *Service) certARN(account, region string) string {
	partition := regions.PartitionOf(region)
	if partition == "" {
		partition = s.cfg.Partition
	}
	return "arn:" + partition + ":acm:" + region + ":" + account + ":certificate/" + uuid.NewString()
}

// authorize asks authz whether caller may perform acm:<op> on the
// certificate (or "*" when r is nil), with extra request keys.
func (s *Service) authorize(ctx context.Context, caller *authz.Caller, op string, r *certRow, reqCtx map[string][]string) error {
	req := &authz.Request{Caller: caller, Action: "acm:" + op, Resource: "*", Context: reqCtx}
	if r != nil {
		req.Resource = r.ARN
		tags, err := s.tags(ctx, r.ID)
		if err != nil {
			return err
		}
		if len(tags) > 0 {
			req.ResourceTags = make(map[string]string, len(tags))
			for _, t := range tags {
				req.ResourceTags[t.Key] = t.Value
			}
		}
	}
	return s.engine.Check(ctx, req)
}

// load returns the caller's certificate with arn after authorizing op on
// it. A certificate of another account or region is not found: ACM
// certificates are never shared.
func (s *Service) load(ctx context.Context, caller *authz.Caller, op, arn string) (*certRow, error) {
	return s.loadWith(ctx, caller, op, arn, nil)
}

// loadWith is load with extra request keys (aws:RequestTag/…, aws:TagKeys).
func (s *Service) loadWith(ctx context.Context, caller *authz.Caller, op, arn string, reqCtx map[string][]string) (*certRow, error) {
	acct, region, ok := parseCertARN(arn)
	if !ok {
		return nil, errf(ErrInvalidArn, "String '%s' is not a valid ARN.", arn)
	}
	r, err := s.getCert(ctx, arn)
	if err != nil {
		return nil, err
	}
	if r == nil || acct != caller.AccountID || region != callerRegion(caller, region) {
		// Authorize on the ARN first so that another account learns nothing.
		if err := s.authorize(ctx, caller, op, &certRow{ARN: arn}, reqCtx); err != nil {
			return nil, err
		}
		return nil, notFound(arn)
	}
	if err := s.authorize(ctx, caller, op, r, reqCtx); err != nil {
		return nil, err
	}
	return r, nil
}

// callerRegion is the caller's request region, or def when the caller
// carries none (internal callers).
func callerRegion(c *authz.Caller, def string) string {
	if c.Region == "" {
		return def
	}
	return c.Region
}
