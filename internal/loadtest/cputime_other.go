//go:build !linux

package loadtest

import "time"

// threadCPU falls back to wall time where per-thread CPU time is unknown.
func threadCPU(f func() error) (time.Duration, error) {
	t0 := time.Now()
	err := f()
	return time.Since(t0), err
}
