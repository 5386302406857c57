package server

import (
	"os"
	"runtime/debug"
)

// Garbage-collector defaults of the long-running commands (serve,
// loadtest; TuneGC). Their live heap is small (tens of MB, even with a million
// stored certificates) while every request allocates, so Go's default
// (GOGC=100, collecting whenever the heap doubles from a 4 MB floor)
// collects many times a second under load: at 16 clients, GetCertificate
// spent 13 % of the server's CPU in the collector's marking, 2.4 % with
// these defaults, and served 15–18k/s instead of 11–13k/s
// (docs/benchmarks.md). Collecting at 5× the live heap, with a soft
// memory limit that makes the collector work harder before the process
// grows past it, trades a bounded amount of memory for that CPU; the
// limit keeps a server with a million certificates under 200 MB while it
// writes an audit report (docs/benchmarks.md, "Stored data"). The
// standard GOGC and GOMEMLIMIT environment variables still decide when set.
const (
	DefaultGCPercent   = 400
	DefaultMemoryLimit = 160 << 20 // bytes
)

// TuneGC applies DefaultGCPercent and DefaultMemoryLimit where the
// environment sets neither GOGC nor GOMEMLIMIT.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(DefaultGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(DefaultMemoryLimit)
	}
}
