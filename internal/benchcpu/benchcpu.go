// Package benchcpu gives benchmarks the process's CPU time, which on cores
// shared with other processes moves far less than wall time (ns/op).
package benchcpu

import (
	"syscall"
	"testing"
	"time"
)

// Process is the CPU time (user + system) the process has used so far.
func Process() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Report adds the process's CPU time per operation (cpu-ns/op) to b, from
// now to its end. Call it after setup, where ResetTimer goes.
func Report(b *testing.B) {
	b.Helper()
	t0 := Process()
	b.Cleanup(func() {
		if b.N > 0 {
			b.ReportMetric(float64(Process()-t0)/float64(b.N), "cpu-ns/op")
		}
	})
}
