package server

import (
	"context"
	"log/slog"
	"net"
	"net/http"

	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/metrics"
	"github.com/openpca/openpca/internal/pca"
)

// observers fans the edge's finished calls out to metrics and the trail.
type observers []awsapi.Observer

func (o observers) ObserveCall(ctx context.Context, c *awsapi.Call) {
	for _, x := range o {
		x.ObserveCall(ctx, c)
	}
}

// or is o as an awsapi.Observer, nil when empty (the edge skips the work).
func (o observers) or() awsapi.Observer {
	if len(o) == 0 {
		return nil
	}
	return o
}

func pcaMetrics(m *metrics.Metrics, off bool) pca.Metrics {
	if off {
		return nil
	}
	return m
}

// ServeMetrics serves h at GET /metrics on its own plain-HTTP listener
// (--metrics-listen); stop closes it.
func ServeMetrics(addr string, h http.Handler, log *slog.Logger) (stop func(), bound string, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: ReadHeaderTimeout, ReadTimeout: ReadTimeout,
		WriteTimeout: WriteTimeout, IdleTimeout: IdleTimeout,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go func() { _ = srv.Serve(ln) }()
	return func() { _ = srv.Close() }, ln.Addr().String(), nil
}
