package pca

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestBatcherCommitFullQueueHonoursContext: a caller whose row cannot be
// queued (the queue is full, the committer stuck) gives up when its
// context ends, and its issuance no longer counts as signing.
func TestBatcherCommitFullQueueHonoursContext(t *testing.T) {
	// No committer runs, and the queue has no room.
	b := &batcher{max: 1, queue: make(chan *pending), done: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	b.begin()
	res := make(chan error, 1)
	go func() { res <- b.commit(ctx, &certRow{}) }()
	select {
	case err := <-res:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("commit: %v, want the context's error", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("commit blocked on a full queue after its context ended")
	}
	if n := b.signing.Load(); n != 0 {
		t.Errorf("signing = %d after the abandoned commit, want 0", n)
	}
}
