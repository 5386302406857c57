// Package trail keeps the call trail: one record per mutating call and per
// denial, in CloudTrail's event-record format, kept 90 days and queried
// with LookupEvents.
//
// Durability: records are queued by the request and written by one writer
// in batches (one transaction per batch, gathered for up to Linger), never
// in the request's own transaction; on SQLite in their own file
// (store.TrailFileName). A crash can lose the records of the last Linger
// (100 ms); the calls themselves are unaffected.
package trail

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/store"
)

// Retention is how long events are kept (CloudTrail event history: 90 days).
const Retention = 90 * 24 * time.Hour

// Resource is one resource an event names.
type Resource struct {
	Type string // "AWS::ACMPCA::CertificateAuthority"
	Name string // the ARN
}

// Event is one call to record.
type Event struct {
	ID        string
	Time      time.Time
	Region    string
	Source    string // "acm-pca.amazonaws.com"
	Name      string // "IssueCertificate"
	Caller    *authz.Caller
	SourceIP  string
	UserAgent string
	RequestID string
	ReadOnly  bool
	ErrorCode string
	ErrorMsg  string
	Request   map[string]any // request parameters, secrets already removed
	Response  map[string]any // response elements, secrets already removed
	// RequestJSON and ResponseJSON, when set, are the parameters already
	// encoded (and redacted); they take the place of Request and Response.
	RequestJSON, ResponseJSON []byte
	Resources                 []Resource
	// Recipients are the accounts besides the caller's that receive the
	// event: the owners of the resources it names.
	Recipients []string
	// Prepare, when set, fills the fields above from the call (encoding
	// its parameters, which is most of a record's cost); the writer calls
	// it, after the answer has gone.
	Prepare func(ev *Event)
}

// Service records and looks up events.
type Service struct {
	db     *store.DB
	engine Authorizer
	clock  clock.Clock
	log    *slog.Logger

	mu      sync.Mutex
	pending []*Event
	spare   []*Event // the last batch's slice, reused for the next queue
	rows    []row    // the writer's rows of a batch, reused
	wake    chan struct{}
	flushes []chan error // waiters for the next written batch
	done    chan struct{}
	stopped chan struct{}
	once    sync.Once
	onBatch func(n int)
}

// Authorizer is the slice of authz.Engine the trail uses.
type Authorizer interface {
	Check(ctx context.Context, req *authz.Request) error
}

// MaxPending bounds the queued events; past it, Record waits for the
// writer (back-pressure instead of unbounded memory or silent loss).
const MaxPending = 10000

// New starts the writer; onBatch, when set, sees each written batch's
// size (metrics).
func New(db *store.DB, engine Authorizer, clk clock.Clock, log *slog.Logger, onBatch func(n int)) *Service {
	if clk == nil {
		clk = clock.Real{}
	}
	if log == nil {
		log = slog.Default()
	}
	s := &Service{db: db, engine: engine, clock: clk, log: log, onBatch: onBatch,
		wake: make(chan struct{}, 1), done: make(chan struct{}), stopped: make(chan struct{})}
	go s.writer()
	return s
}

// Record queues ev for writing; the writer builds its record (calling
// ev.Prepare first) and stores it for the caller's account and for each
// other recipient. ev is the writer's from now on.
func (s *Service) Record(ev *Event) {
	for {
		s.mu.Lock()
		if n := len(s.pending); n < MaxPending {
			s.pending = append(s.pending, ev)
			s.mu.Unlock()
			// The writer needs waking only to start a batch's wait
			// and to end it early: a wake-up per event would cost a
			// goroutine switch each.
			if n == 0 || n+1 == LingerEvents {
				s.signal()
			}
			return
		}
		s.mu.Unlock()
		if !s.Flush(context.Background()) {
			return
		}
	}
}

// signal wakes the writer (a pending wake-up already will).
func (s *Service) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// rowsOf is ev's stored rows: one for the caller's account and one for
// each other recipient.
func (s *Service) rowsOf(ev *Event) []row {
	accounts := []string{callerAccount(ev.Caller)}
	for _, a := range ev.Recipients {
		if a != "" && a != accounts[0] && !contains(accounts, a) {
			accounts = append(accounts, a)
		}
	}
	// Each recipient's row holds the record (see migration 0051).
	rec, base := buildRecord(ev, len(accounts) > 1)
	base.Record = rec
	rows := make([]row, 0, len(accounts))
	for _, acct := range accounts {
		r := base
		r.Account = acct
		rows = append(rows, r)
	}
	return rows
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func callerAccount(c *authz.Caller) string {
	if c == nil {
		return ""
	}
	return c.AccountID
}

// Linger is how long the writer lets a small batch grow before writing
// it, and LingerEvents the size that ends the wait. A batch's fixed cost
// (begin, prepare, the partly filled pages rewritten, a cold writer)
// showed under IssueCertificate load (BenchmarkIssueObserved,
// docs/benchmarks.md), and a chunk holds a batch's events per account. A Flush (every
// LookupEvents) or Close ends the wait at once; a crash can lose the
// lingering records, which the trail accepts (see the package comment).
const (
	Linger       = 100 * time.Millisecond
	LingerEvents = 256
)

// writer writes queued rows, each wake-up's worth in one transaction.
func (s *Service) writer() {
	defer close(s.stopped)
	for {
		select {
		case <-s.wake:
		case <-s.done:
			s.writeBatch()
			return
		}
		s.linger()
		s.writeBatch()
	}
}

// linger waits, up to Linger, until LingerEvents events are queued, a Flush
// waits or the service closes. It is a batching delay, not a domain time:
// the real clock, as the issuance batcher's.
func (s *Service) linger() {
	t := time.NewTimer(Linger)
	defer t.Stop()
	for {
		s.mu.Lock()
		enough := len(s.pending) >= LingerEvents || len(s.flushes) > 0
		s.mu.Unlock()
		if enough {
			return
		}
		select {
		case <-s.wake:
		case <-t.C:
			return
		case <-s.done:
			return
		}
	}
}

func (s *Service) writeBatch() {
	s.mu.Lock()
	batch, waiters := s.pending, s.flushes
	s.pending, s.spare, s.flushes = s.spare, nil, nil
	s.mu.Unlock()
	var err error
	if len(batch) > 0 {
		// The records are built here, not on the requests' goroutines:
		// the answers do not wait for them, and building a batch's in a
		// row keeps the encoders' code and caches warm.
		rows := s.rows[:0]
		for _, ev := range batch {
			if ev.Prepare != nil {
				ev.Prepare(ev)
			}
			rows = append(rows, s.rowsOf(ev)...)
		}
		err = insertRows(context.Background(), s.db, rows)
		if err != nil {
			s.log.Error("trail: writing events failed", "events", len(batch), "error", err.Error())
		} else if s.onBatch != nil {
			s.onBatch(len(rows))
		}
		clear(rows)
		if cap(rows) <= 8*LingerEvents {
			s.rows = rows[:0]
		}
	}
	for _, w := range waiters {
		w <- err
	}
	// Queue into this slice next time instead of growing a new one (not
	// a back-pressure-sized one: it would stay allocated).
	if cap(batch) <= 4*LingerEvents {
		clear(batch)
		s.mu.Lock()
		s.spare = batch[:0]
		s.mu.Unlock()
	}
}

// Flush waits until everything queued before the call is written; it
// reports false when the writer has stopped.
func (s *Service) Flush(ctx context.Context) bool {
	ch := make(chan error, 1)
	s.mu.Lock()
	s.flushes = append(s.flushes, ch)
	s.mu.Unlock()
	s.signal()
	select {
	case <-ch:
		return true
	case <-s.stopped:
		return false
	case <-ctx.Done():
		return false
	}
}

// Close writes what is queued and stops the writer.
func (s *Service) Close() {
	s.once.Do(func() { close(s.done) })
	<-s.stopped
}

// Prune deletes the events past the retention period, a write batch's
// events for one account (a chunk) at a time; it returns how many chunks.
func (s *Service) Prune(ctx context.Context) (int64, error) {
	return deleteBefore(ctx, s.db, s.clock.Now().Add(-Retention))
}

// RunPrune prunes every interval until Close.
func (s *Service) RunPrune(interval time.Duration) {
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if n, err := s.Prune(context.Background()); err != nil {
				s.log.Error("trail: pruning failed", "error", err.Error())
			} else if n > 0 {
				s.log.Info("trail: pruned old events", "chunks", n)
			}
			select {
			case <-t.C:
			case <-s.done:
				return
			}
		}
	}()
}

// AdoptMain moves into db, the trail's own SQLite file, the events an
// older version kept in the main SQLite database at mainPath; it returns
// how many index rows it moved (0 once done).
func AdoptMain(ctx context.Context, db *store.DB, mainPath string) (int64, error) {
	return adoptMain(ctx, db, mainPath)
}
