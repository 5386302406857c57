package pca

import (
	"syscall"
	"testing"
	"time"
)

// reportCPU adds the process's CPU time per operation (cpu-ns/op) to a
// benchmark, from now to its end: on cores shared with other processes it
// moves far less than ns/op. Call it after setup, where ResetTimer goes.
func reportCPU(b *testing.B) {
	b.Helper()
	t0 := processCPU()
	b.Cleanup(func() {
		if b.N > 0 {
			b.ReportMetric(float64(processCPU()-t0)/float64(b.N), "cpu-ns/op")
		}
	})
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
