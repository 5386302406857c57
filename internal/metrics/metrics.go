// Package metrics holds OpenPCA's Prometheus metrics in a registry of its
// own (never the global one, so tests and embedders get clean counters)
// and serves them in the text exposition format at /metrics.
package metrics

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/clock"
)

// Metrics is the set of OpenPCA's metrics.
type Metrics struct {
	Registry *prometheus.Registry
	clock    clock.Clock

	requests     *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	denials      *prometheus.CounterVec
	issued       *prometheus.CounterVec
	pcaBatch     prometheus.Histogram
	trailBatch   prometheus.Histogram
	renewals     *prometheus.CounterVec
	ocspAge      prometheus.Histogram
	storeLatency *prometheus.HistogramVec

	mu     sync.Mutex
	crlGen map[string]time.Time // CA ARN → thisUpdate of its newest CRL
}

// Outcome label of a successful call.
const Success = "Success"

// New builds the metrics and registers them (with the Go runtime and
// process collectors) in a new registry.
func New(clk clock.Clock) *Metrics {
	if clk == nil {
		clk = clock.Real{}
	}
	m := &Metrics{Registry: prometheus.NewRegistry(), clock: clk, crlGen: map[string]time.Time{}}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "openpca_api_requests_total",
		Help: "AWS API requests by service, operation and outcome (the AWS error code, or Success)."},
		[]string{"service", "operation", "outcome"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "openpca_api_request_duration_seconds",
		Help: "AWS API request latency by service and operation.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)},
		[]string{"service", "operation"})
	m.denials = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "openpca_authz_denials_total",
		Help: "Authorization denials by service, action (operation) and reason."},
		[]string{"service", "operation", "reason"})
	m.issued = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "openpca_pca_certificates_issued_total",
		Help: "Certificates issued by CA and template."}, []string{"ca", "template"})
	m.pcaBatch = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "openpca_pca_commit_batch_size",
		Help: "Certificates committed per group-commit transaction.", Buckets: prometheus.ExponentialBuckets(1, 2, 10)})
	m.trailBatch = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "openpca_trail_write_batch_size",
		Help: "Trail records written per transaction.", Buckets: prometheus.ExponentialBuckets(1, 2, 12)})
	m.renewals = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "openpca_acm_renewals_total",
		Help: "ACM managed-renewal attempts by resulting status and reason."}, []string{"status", "reason"})
	m.ocspAge = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "openpca_pca_ocsp_response_age_seconds",
		Help: "Age (now - thisUpdate) of OCSP responses when served.", Buckets: []float64{1, 10, 60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600}})
	m.storeLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "openpca_store_operation_duration_seconds",
		Help: "Store write-transaction latency (begin to commit) by outcome.", Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16)}, []string{"operation", "outcome"})
	m.Registry.MustRegister(m.requests, m.latency, m.denials, m.issued, m.pcaBatch, m.trailBatch, m.renewals,
		m.ocspAge, m.storeLatency, crlAge{m},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// ObserveCall implements awsapi.Observer.
func (m *Metrics) ObserveCall(_ context.Context, c *awsapi.Call) {
	svc, op := orDash(c.Service), orDash(c.Operation)
	outcome := c.ErrorCode
	if outcome == "" {
		outcome = Success
	}
	m.requests.WithLabelValues(svc, op, outcome).Inc()
	m.latency.WithLabelValues(svc, op).Observe(c.Latency.Seconds())
	if c.Denial != nil {
		m.denials.WithLabelValues(svc, op, c.Denial.Reason.String()).Inc()
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// CertificateIssued implements pca.Metrics.
func (m *Metrics) CertificateIssued(caARN, templateARN string) {
	m.issued.WithLabelValues(caARN, templateARN).Inc()
}

// CommitBatch implements pca.Metrics.
func (m *Metrics) CommitBatch(size int) { m.pcaBatch.Observe(float64(size)) }

// TrailBatch records a trail write batch's size.
func (m *Metrics) TrailBatch(size int) { m.trailBatch.Observe(float64(size)) }

// CRLGenerated implements pca.Metrics.
func (m *Metrics) CRLGenerated(caARN string, thisUpdate time.Time) {
	m.mu.Lock()
	m.crlGen[caARN] = thisUpdate
	m.mu.Unlock()
}

// OCSPServed implements pca.Metrics.
func (m *Metrics) OCSPServed(age time.Duration) { m.ocspAge.Observe(age.Seconds()) }

// Renewal records one ACM renewal attempt's outcome.
func (m *Metrics) Renewal(status, reason string) {
	m.renewals.WithLabelValues(status, orDash(reason)).Inc()
}

// StoreTx records one write transaction's latency (begin to commit).
func (m *Metrics) StoreTx(d time.Duration, err error) {
	outcome := "commit"
	if err != nil {
		outcome = "error"
	}
	m.storeLatency.WithLabelValues("tx", outcome).Observe(d.Seconds())
}

// crlAge reports each CA's newest CRL's age at scrape time, computed from
// the clock so it grows between generations as an alert needs.
type crlAge struct{ m *Metrics }

var crlAgeDesc = prometheus.NewDesc("openpca_pca_crl_age_seconds",
	"Seconds since the thisUpdate of the newest CRL this server generated, by CA.", []string{"ca"}, nil)

func (c crlAge) Describe(ch chan<- *prometheus.Desc) { ch <- crlAgeDesc }

func (c crlAge) Collect(ch chan<- prometheus.Metric) {
	now := c.m.clock.Now()
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	for ca, t := range c.m.crlGen {
		ch <- prometheus.MustNewConstMetric(crlAgeDesc, prometheus.GaugeValue, now.Sub(t).Seconds(), ca)
	}
}
