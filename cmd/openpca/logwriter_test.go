package main

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Info lines wait for the interval; a warning goes out at once with the
// lines before it; Close writes the rest.
func TestLogWriterBatchesAndFlushesWarnings(t *testing.T) {
	var out lockedBuffer
	w := newLogWriter(&out)
	log := slog.New(flushOnWarn{slog.NewTextHandler(w, nil), w})
	log.Info("aws request", "n", 1)
	if s := out.String(); s != "" {
		t.Fatalf("an info line was written at once: %q", s)
	}
	log.Warn("disk slow")
	if s := out.String(); !strings.Contains(s, "aws request") || !strings.Contains(s, "disk slow") {
		t.Fatalf("after a warning: %q", s)
	}
	log.Info("aws request", "n", 2)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "n=2") {
		if time.Now().After(deadline) {
			t.Fatalf("the interval did not flush: %q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	log.Info("last")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "msg=last") {
		t.Fatalf("Close lost a line: %q", out.String())
	}
}
