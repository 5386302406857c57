package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestMetricsListener: with MetricsSeparate the main handler does not
// serve /metrics; ServeMetrics serves it (and nothing else) on its own
// listener.
func TestMetricsListener(t *testing.T) {
	for _, separate := range []bool{false, true} {
		app, err := Open(context.Background(), Config{DataDir: t.TempDir(), MetricsSeparate: separate,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		app.Handler.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		served := rec.Code == http.StatusOK && strings.Contains(rec.Body.String(), "go_goroutines")
		if served == separate {
			t.Errorf("separate=%v: main listener /metrics answered %d", separate, rec.Code)
		}
		if separate {
			stop, addr, err := ServeMetrics("127.0.0.1:0", app.Metrics.Handler(), slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			for path, want := range map[string]int{"/metrics": http.StatusOK, "/": http.StatusNotFound} {
				resp, err := http.Get("http://" + addr + path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != want {
					t.Errorf("metrics listener %s: %d, want %d", path, resp.StatusCode, want)
				}
			}
			stop()
		}
		app.Close()
	}
}
