package console

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/acm"
	"github.com/openpca/openpca/internal/pca"
)

// wellFormed reports whether s parses as XML: a browser shows a broken
// image for an SVG that does not.
func wellFormed(s string) error {
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		if _, err := d.Token(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

func TestChartsAreWellFormedSVG(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ca := &pca.CertificateAuthority{NotAfter: now.AddDate(10, 0, 0)}
	for _, n := range []int{0, 1, 500} {
		var certs []acm.RenewalHealth
		for i := 0; i < n; i++ {
			certs = append(certs, acm.RenewalHealth{NotAfter: now.AddDate(0, 0, 30+i), LastRenewalStatus: "FAILED",
				PredictedOutcome: "FAILURE", NextRenewalAt: now.Add(-time.Hour)})
		}
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			if err := wellFormed(timelineSVG(now, ca, certs)); err != nil {
				t.Errorf("timeline: %v", err)
			}
			h := countHealth(now, certs)
			if h.Due != n || h.Failed != n || h.Predicted != n || h.Succeeded != 0 {
				t.Errorf("counts %+v for %d", h, n)
			}
			if err := wellFormed(healthSVG(h)); err != nil {
				t.Errorf("health: %v", err)
			}
		})
	}
}
