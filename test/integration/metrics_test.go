package integration

import (
	"context"
	"net/http"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape fetches /metrics unauthenticated and parses it with Prometheus's
// own text parser.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// sample is the value of the family's series with exactly these labels
// (a counter's value, a histogram's count); 0 when absent.
func sample(fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	f := fams[name]
	if f == nil {
		return 0
	}
next:
	for _, m := range f.Metric {
		for _, lp := range m.Label {
			if want, ok := labels[lp.GetName()]; ok && want != lp.GetValue() {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		}
	}
	return 0
}

func TestMetricsMove(t *testing.T) {
	r := newRig(t, "")
	a := creds{key: mgmtKeyID, secret: mgmtSecret}
	aPCA := r.pca(a)
	ca := activeCA(t, aPCA)
	denied := userIn(t, r.rootIAM(), "denied", denyIssue)

	before := scrape(t, r.srv.URL)
	if _, err := issue(aPCA, ca, tmplV1, leafCSR(t)); err != nil {
		t.Fatal(err)
	}
	_, err := issue(r.pca(denied), ca, tmplV1, leafCSR(t))
	wantDenied(t, err, "")
	// The trail writer lets a batch gather for up to 20 ms; flushing
	// writes it now, so its batch-size metric is there to scrape.
	r.app.Trail.Flush(context.Background())
	after := scrape(t, r.srv.URL)

	checks := []struct {
		name   string
		labels map[string]string
		delta  float64
	}{
		{"openpca_api_requests_total", map[string]string{"service": "acm-pca", "operation": "IssueCertificate", "outcome": "Success"}, 1},
		{"openpca_api_requests_total", map[string]string{"service": "acm-pca", "operation": "IssueCertificate", "outcome": "AccessDeniedException"}, 1},
		{"openpca_api_request_duration_seconds", map[string]string{"service": "acm-pca", "operation": "IssueCertificate"}, 2},
		{"openpca_authz_denials_total", map[string]string{"service": "acm-pca", "operation": "IssueCertificate", "reason": "DeniedExplicitIdentity"}, 1},
		{"openpca_pca_certificates_issued_total", map[string]string{"ca": ca, "template": tmplV1}, 1},
		{"openpca_pca_commit_batch_size", nil, 1},
	}
	for _, c := range checks {
		if got := sample(after, c.name, c.labels) - sample(before, c.name, c.labels); got != c.delta {
			t.Errorf("%s%v moved by %v, want %v", c.name, c.labels, got, c.delta)
		}
	}
	if sample(after, "openpca_store_operation_duration_seconds", map[string]string{"operation": "tx", "outcome": "commit"}) == 0 {
		t.Error("no store transactions measured")
	}
	if sample(after, "openpca_trail_write_batch_size", nil) == 0 {
		t.Error("no trail batches measured")
	}
}
