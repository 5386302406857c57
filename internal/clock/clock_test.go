package clock

import (
	"sync"
	"testing"
	"time"
)

func TestFakeAdvanceSetAndConcurrency(t *testing.T) {
	start := time.Date(2026, 11, 30, 12, 0, 0, 0, time.FixedZone("x", 3600))
	f := NewFake(start)
	if got := f.Now(); !got.Equal(start) || got.Location() != time.UTC {
		t.Fatalf("Now = %v, want %v in UTC", got, start)
	}
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); f.Advance(time.Minute) }()
	}
	wg.Wait()
	if got := f.Now().Sub(start); got != 10*time.Minute {
		t.Fatalf("advanced %v, want 10m", got)
	}
	later := start.Add(48 * time.Hour)
	f.Set(later)
	if !f.Now().Equal(later) {
		t.Fatalf("Set: %v", f.Now())
	}
	real := Real{}
	if d := time.Since(real.Now()); d < 0 || d > time.Minute || real.Now().Location() != time.UTC {
		t.Fatalf("Real clock off by %v", d)
	}
}
