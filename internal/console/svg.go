package console

import (
	"fmt"
	"html"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/acm"
	"github.com/openpca/openpca/internal/pca"
)

// timelineSVG draws a CA's validity and the expiry of every managed
// certificate it signs, on one time axis from now.
func timelineSVG(now time.Time, ca *pca.CertificateAuthority, certs []acm.RenewalHealth) string {
	const w, left, right, rowH = 760.0, 20.0, 20.0, 14.0
	end := ca.NotAfter
	for _, c := range certs {
		if c.NotAfter.After(end) {
			end = c.NotAfter
		}
	}
	if !end.After(now) {
		end = now.Add(24 * time.Hour)
	}
	span := end.Sub(now).Seconds()
	x := func(t time.Time) float64 {
		f := t.Sub(now).Seconds() / span
		if f < 0 {
			f = 0
		}
		return left + f*(w-left-right)
	}
	// Markers are binned per pixel column so 10,000 certificates draw as
	// at most a few hundred shapes.
	bins := map[int]int{}
	for _, c := range certs {
		if c.NotAfter.IsZero() {
			continue
		}
		bins[int(x(c.NotAfter))]++
	}
	cols := make([]int, 0, len(bins))
	for k := range bins {
		cols = append(cols, k)
	}
	sort.Ints(cols)
	max := 1
	for _, n := range bins {
		if n > max {
			max = n
		}
	}
	var b strings.Builder
	h := 120.0
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="11">`, w, h, w, h)
	b.WriteString(`<title>Expiry timeline</title><rect width="100%" height="100%" fill="#fff"/>`)
	fmt.Fprintf(&b, `<rect x="%.1f" y="18" width="%.1f" height="%.0f" fill="#1f5fa8" opacity="0.85"/>`, left, x(ca.NotAfter)-left, rowH)
	fmt.Fprintf(&b, `<text x="%.1f" y="14" fill="#16191f">CA valid until %s</text>`, left, ca.NotAfter.UTC().Format("2006-01-02"))
	base := 96.0
	for _, col := range cols {
		n := bins[col]
		bh := 4 + 50*float64(n)/float64(max)
		fmt.Fprintf(&b, `<rect x="%d" y="%.1f" width="2" height="%.1f" fill="#ec7211"><title>%d certificate(s)</title></rect>`, col, base-bh, bh, n)
	}
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#5f6b7a"/>`, left, base, w-right, base)
	fmt.Fprintf(&b, `<text x="%.0f" y="112">now %s</text>`, left, now.UTC().Format("2006-01-02"))
	fmt.Fprintf(&b, `<text x="%.0f" y="112" text-anchor="end">%s</text>`, w-right, end.UTC().Format("2006-01-02"))
	fmt.Fprintf(&b, `<text x="%.0f" y="48" text-anchor="middle" fill="#5f6b7a">%s</text>`, w/2,
		html.EscapeString(fmt.Sprintf("%d managed certificate(s): orange bars mark expiry dates", len(certs))))
	b.WriteString(`</svg>`)
	return b.String()
}

// healthCounts summarises renewal health: due now, last renewal
// succeeded, last renewal failed, and predicted to fail if tried now.
type healthCounts struct{ Due, Succeeded, Failed, Predicted int }

func countHealth(now time.Time, certs []acm.RenewalHealth) healthCounts {
	var h healthCounts
	for _, c := range certs {
		if !c.NextRenewalAt.IsZero() && !c.NextRenewalAt.After(now) {
			h.Due++
		}
		switch c.LastRenewalStatus {
		case "SUCCESS":
			h.Succeeded++
		case "FAILED":
			h.Failed++
		}
		if c.PredictedOutcome == "FAILURE" {
			h.Predicted++
		}
	}
	return h
}

func healthSVG(h healthCounts) string {
	bars := []struct {
		label string
		n     int
		color string
	}{{"Due for renewal", h.Due, "#8a5a00"}, {"Renewed", h.Succeeded, "#1d8102"}, {"Renewal failed", h.Failed, "#b3261e"}, {"Predicted to fail", h.Predicted, "#e07b00"}}
	max := 1
	for _, b := range bars {
		if b.n > max {
			max = b.n
		}
	}
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="460" height="130" viewBox="0 0 460 130" font-family="sans-serif" font-size="12"><title>Renewal health</title><rect width="100%" height="100%" fill="#fff"/>`)
	for i, bar := range bars {
		y := 12 + i*28
		wd := 4 + 250*float64(bar.n)/float64(max)
		fmt.Fprintf(&b, `<text x="8" y="%d">%s</text><rect x="130" y="%d" width="%.1f" height="18" fill="%s"/><text x="%.1f" y="%d">%d</text>`,
			y+13, bar.label, y, wd, bar.color, 136+wd, y+13, bar.n)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func writeSVG(w http.ResponseWriter, svg string) {
	w.Header().Set("Content-Type", "image/svg+xml")
	_, _ = w.Write([]byte(svg))
}

// expiries is the timeline's input from expiry dates alone.
func expiries(nas []time.Time) []acm.RenewalHealth {
	out := make([]acm.RenewalHealth, len(nas))
	for i, t := range nas {
		out[i].NotAfter = t
	}
	return out
}

func summaryCounts(o *acm.RenewalHealthSummary) healthCounts {
	return healthCounts{Due: o.Due, Succeeded: o.Succeeded, Failed: o.Failed, Predicted: o.Predicted}
}

func (c *Console) caAndHealth(w http.ResponseWriter, r *http.Request, s *session) (*pca.CertificateAuthority, *acm.RenewalHealthSummary, bool) {
	arn, caller := r.URL.Query().Get("arn"), c.caller(r, s)
	out, err := c.cfg.PCA.DescribeCertificateAuthority(r.Context(), caller, &pca.DescribeCertificateAuthorityInput{CertificateAuthorityArn: arn})
	if err != nil {
		e, st := c.awsError("acm-pca", err)
		http.Error(w, e.Code+": "+e.Message, st)
		return nil, nil, false
	}
	h, err := c.cfg.ACM.GetRenewalHealthSummary(r.Context(), caller, &acm.CertificateAuthorityArnInput{CertificateAuthorityArn: arn}, 0)
	if err != nil {
		e, st := c.awsError("acm", err)
		http.Error(w, e.Code+": "+e.Message, st)
		return nil, nil, false
	}
	return out.CertificateAuthority, h, true
}

func (c *Console) pcaTimelineSVG(w http.ResponseWriter, r *http.Request, s *session) {
	if ca, h, ok := c.caAndHealth(w, r, s); ok {
		writeSVG(w, timelineSVG(c.cfg.Clock.Now(), ca, expiries(h.NotAfters)))
	}
}

func (c *Console) pcaHealthSVG(w http.ResponseWriter, r *http.Request, s *session) {
	if _, h, ok := c.caAndHealth(w, r, s); ok {
		writeSVG(w, healthSVG(summaryCounts(h)))
	}
}
