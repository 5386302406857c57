package pca

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openpca/openpca/internal/store"
)

// batcher is the group commit for certificate rows. One goroutine takes
// queued rows and commits them in one transaction, then releases every
// waiter with its own verdict. While a commit (an fsync) runs, new rows
// queue up and form the next batch, so a batch grows with the load and a
// lone request pays no extra wait. A batch also waits (at most wait) for
// issuances that are still being signed (signing counts them), which
// merges a burst of concurrent calls into few commits.
type batcher struct {
	db      *store.DB
	max     int
	wait    time.Duration
	queue   chan *pending
	signing atomic.Int64 // issuances signed but not yet queued
	commits atomic.Int64
	metrics Metrics // nil: none

	mu     sync.RWMutex // guards closed against sends on a closed queue
	closed bool
	done   chan struct{}
}

type pending struct {
	row *certRow
	res chan error
}

var errClosed = errors.New("pca: service is shutting down")

func newBatcher(db *store.DB, max int, wait time.Duration) *batcher {
	b := &batcher{db: db, max: max, wait: wait, queue: make(chan *pending, max*4), done: make(chan struct{})}
	go b.run()
	return b
}

// begin marks an issuance about to be signed and enqueued; end undoes it
// when the issuance fails before reaching the queue.
func (b *batcher) begin() { b.signing.Add(1) }
func (b *batcher) end()   { b.signing.Add(-1) }

// commit queues row (the caller has called begin) and waits until it is
// durable or refused.
func (b *batcher) commit(ctx context.Context, row *certRow) error {
	p := &pending{row: row, res: make(chan error, 1)}
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		b.end()
		return errClosed
	}
	// A full queue (the committer behind) must not hold a caller whose
	// context ended: nothing was queued, so giving up is safe.
	select {
	case b.queue <- p:
	case <-ctx.Done():
		b.mu.RUnlock()
		b.end()
		return ctx.Err()
	}
	b.signing.Add(-1)
	b.mu.RUnlock()
	// The row may be committed even if ctx ends now; waiting keeps the
	// contract "answered only after commit" for those who stay.
	select {
	case err := <-p.res:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *batcher) run() {
	defer close(b.done)
	batch := make([]*pending, 0, b.max)
	for first := range b.queue {
		batch = append(batch[:0], first)
		batch = b.fill(batch)
		b.flush(batch)
	}
}

// fill adds queued rows to batch, waiting briefly while other issuances
// are still signing and the batch has room.
func (b *batcher) fill(batch []*pending) []*pending {
	var deadline <-chan time.Time
	for len(batch) < b.max {
		select {
		case p, ok := <-b.queue:
			if !ok {
				return batch
			}
			batch = append(batch, p)
			continue
		default:
		}
		if b.signing.Load() <= 0 {
			return batch
		}
		if deadline == nil {
			deadline = time.After(b.wait)
		}
		select {
		case p, ok := <-b.queue:
			if !ok {
				return batch
			}
			batch = append(batch, p)
		case <-deadline:
			return batch
		}
	}
	return batch
}

func (b *batcher) flush(batch []*pending) {
	rows := make([]*certRow, len(batch))
	for i, p := range batch {
		rows[i] = p.row
	}
	verdicts, err := insertCerts(context.Background(), b.db, rows)
	if err == nil {
		b.commits.Add(1)
		if b.metrics != nil {
			b.metrics.CommitBatch(len(batch))
		}
	}
	for i, p := range batch {
		if err != nil {
			p.res <- err
		} else {
			p.res <- verdicts[i]
		}
	}
}

// close stops accepting rows, commits what is queued and waits for the loop.
func (b *batcher) close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.queue)
	}
	b.mu.Unlock()
	<-b.done
}
