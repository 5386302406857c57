package awsapi

import (
	"math"
	"sync"
	"time"
)

// DefaultMaxPendingBodyBytes bounds, across all connections, the bytes of
// request bodies held before their signature is verified: enough for a dozen
// maximum-size bodies or thousands of ordinary ones at once.
const DefaultMaxPendingBodyBytes = 64 << 20

// bodyBudget is a byte semaphore for not-yet-authenticated bodies. It never
// waits: a request over budget is refused at once, so stalled senders cannot
// queue up memory.
type bodyBudget struct {
	mu      sync.Mutex
	limit   int64
	inUse   int64
	peak    int64
	refused int64
}

func (b *bodyBudget) acquire(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.inUse+n > b.limit {
		b.refused++
		return false
	}
	b.inUse += n
	b.peak = max(b.peak, b.inUse)
	return true
}

func (b *bodyBudget) release(n int64) {
	b.mu.Lock()
	b.inUse -= n
	b.mu.Unlock()
}

// BodyBudgetStats reports the pre-authentication body budget.
type BodyBudgetStats struct {
	Limit   int64 // bytes
	InUse   int64 // bytes reserved by bodies being read now
	Peak    int64 // the highest InUse seen
	Refused int64 // requests answered ServiceUnavailable for want of budget
}

// BodyBudget returns the budget's counters (for tests and metrics).
func (s *Server) BodyBudget() BodyBudgetStats {
	b := &s.budget
	b.mu.Lock()
	defer b.mu.Unlock()
	return BodyBudgetStats{Limit: b.limit, InUse: b.inUse, Peak: b.peak, Refused: b.refused}
}

// rateLimiter keeps one token bucket per account: AWS applies its request
// quotas per account (and region), after authentication.
type rateLimiter struct {
	rate  float64 // tokens per second; 0 disables
	burst float64
	mu    sync.Mutex
	b     map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets bounds the map; idle full buckets are dropped past it.
const maxBuckets = 100_000

func newRateLimiter(rate float64, burst int) *rateLimiter {
	if rate <= 0 {
		return nil
	}
	if burst < 1 {
		burst = int(math.Ceil(rate))
	}
	return &rateLimiter{rate: rate, burst: float64(burst), b: map[string]*bucket{}}
}

// allow takes one token from key's bucket at now.
func (l *rateLimiter) allow(key string, now time.Time) bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	bk := l.b[key]
	if bk == nil {
		if len(l.b) >= maxBuckets {
			l.sweep(now)
		}
		bk = &bucket{tokens: l.burst, last: now}
		l.b[key] = bk
	}
	if el := now.Sub(bk.last).Seconds(); el > 0 {
		bk.tokens = min(l.burst, bk.tokens+el*l.rate)
		bk.last = now
	}
	if bk.tokens < 1 {
		return false
	}
	bk.tokens--
	return true
}

// sweep drops buckets that have refilled completely: forgetting them
// changes no answer.
func (l *rateLimiter) sweep(now time.Time) {
	for k, bk := range l.b {
		if bk.tokens+now.Sub(bk.last).Seconds()*l.rate >= l.burst {
			delete(l.b, k)
		}
	}
}
