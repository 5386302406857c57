package pca

import (
	"context"
	"errors"
	"runtime"
	"sync"
)

// keygen generates CA keys off the request path, as AWS does:
// CreateCertificateAuthority answers with the CA in CREATING and queues
// it here; a worker generates the key and CSR and moves the CA to
// PENDING_CERTIFICATE (or FAILED). The queue is the set of CREATING rows
// in the store, so CAs a stopped or crashed process left CREATING are
// picked up again when the service starts.
type keygen struct {
	s      *Service
	mu     sync.Mutex
	queue  []string
	queued map[string]bool
	wake   chan struct{}
	stop   chan struct{}
	wg     sync.WaitGroup
	once   sync.Once
}

// keygenWorkers bounds concurrent key generations (RSA 4096 takes
// seconds of CPU).
func keygenWorkers() int { return min(4, max(1, runtime.GOMAXPROCS(0)/2)) }

func newKeygen(s *Service) *keygen {
	k := &keygen{s: s, queued: map[string]bool{}, wake: make(chan struct{}, 1), stop: make(chan struct{})}
	for range keygenWorkers() {
		k.wg.Add(1)
		go k.work()
	}
	return k
}

// recover queues every CA left CREATING in the store.
func (k *keygen) recover(ctx context.Context) {
	ids, err := k.s.creatingCAs(ctx)
	if err != nil {
		k.s.cfg.Logger.Warn("pca: listing CAs left CREATING failed; their keys are generated at the next start", "error", err.Error())
		return
	}
	for _, id := range ids {
		k.enqueue(id)
	}
}

func (k *keygen) enqueue(id string) {
	k.mu.Lock()
	if !k.queued[id] {
		k.queued[id] = true
		k.queue = append(k.queue, id)
	}
	k.mu.Unlock()
	k.signal()
}

func (k *keygen) signal() {
	select {
	case k.wake <- struct{}{}:
	default:
	}
}

func (k *keygen) next() (string, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.queue) == 0 {
		return "", false
	}
	id := k.queue[0]
	k.queue = k.queue[1:]
	delete(k.queued, id)
	if len(k.queue) > 0 {
		k.signal() // let another worker take the next one
	}
	return id, true
}

func (k *keygen) work() {
	defer k.wg.Done()
	for {
		select {
		case <-k.stop:
			return
		default:
		}
		id, ok := k.next()
		if !ok {
			select {
			case <-k.stop:
				return
			case <-k.wake:
			}
			continue
		}
		k.generate(id)
	}
}

// generate runs one CA's CREATING phase. A background context: a key
// store call cut short by shutdown would otherwise leave the CA FAILED.
func (k *keygen) generate(id string) {
	ctx := context.Background()
	row, err := k.s.getCAFrom(ctx, id, true)
	if err != nil {
		k.s.cfg.Logger.Warn("pca: reading a CREATING CA failed; retried at the next start", "ca", id, "error", err.Error())
		return
	}
	if row == nil || row.Status != statusCreating {
		return // deleted, or another server finished it
	}
	if err := k.s.generateCAKey(ctx, row); err != nil && !errors.Is(err, ErrConcurrentModify) {
		k.s.cfg.Logger.Warn("pca: recording a CA key failed", "ca", id, "error", err.Error())
	}
}

// close stops the workers after the generations in progress; CAs still
// queued stay CREATING in the store for the next start.
func (k *keygen) close() {
	k.once.Do(func() {
		close(k.stop)
		k.wg.Wait()
	})
}
