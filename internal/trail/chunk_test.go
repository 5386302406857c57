package trail

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/store/storetest"
)

// Batches whose events interleave in time (a batch holds the calls that
// finished in it, not the ones that started) still page newest first,
// each event once, with and without an attribute, at every page size.
func TestLookupAcrossOverlappingChunks(t *testing.T) {
	db := storetest.Open(t)
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	s := New(db, allowAll{}, clock.NewFake(t0.Add(time.Hour)), nil, nil)
	defer s.Close()
	ca := "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555"
	other := "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/99999999-2222-3333-4444-555555555555"
	const batches, per = 4, 7
	type ev struct {
		id, name, res string
	}
	var all []ev // newest first, as lookups answer
	for b := range batches {
		var rows []row
		for k := range per {
			i := k*batches + b // batch b holds every batches-th moment
			e := &Event{ID: fmt.Sprintf("ev-%03d", i), Time: t0.Add(time.Duration(i) * time.Second), Region: "us-east-1",
				Source: "acm-pca.amazonaws.com", Name: "IssueCertificate", Caller: caller("111122223333")}
			e.Resources = []Resource{{Type: "AWS::ACMPCA::CertificateAuthority", Name: ca}}
			if i%3 == 0 {
				e.Name = "RevokeCertificate"
				e.Resources = []Resource{{Type: "AWS::ACMPCA::CertificateAuthority", Name: other}}
			}
			rows = append(rows, s.rowsOf(e)...)
			all = append(all, ev{e.ID, e.Name, e.Resources[0].Name})
		}
		if err := insertRows(context.Background(), db, rows); err != nil {
			t.Fatal(err)
		}
	}
	slices.SortFunc(all, func(a, b ev) int { return strings.Compare(b.id, a.id) })

	for _, tc := range []struct{ key, value string }{
		{"", ""},
		{"EventName", "RevokeCertificate"},
		{"EventName", "revokecertificate"}, // exact, as AWS matches
		{"ResourceName", ca},
		{"EventId", "ev-013"},
		{"Username", "nobody"},
	} {
		var want []string
		for _, e := range all {
			if tc.key == "" || tc.key == "EventName" && e.name == tc.value || tc.key == "ResourceName" && e.res == tc.value ||
				tc.key == "EventId" && e.id == tc.value {
				want = append(want, e.id)
			}
		}
		for _, limit := range []int{1, 2, 5, 50} {
			var got []string
			var cur *cursor
			for page := 0; ; page++ {
				rows, err := queryRows(context.Background(), db, "111122223333", "us-east-1", t0, t0.Add(time.Hour), tc.key, tc.value, cur, limit)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rows {
					got = append(got, r.EventID)
				}
				if len(rows) < limit || page > 100 {
					break
				}
				last := rows[len(rows)-1]
				cur = &cursor{Time: last.Time.UnixNano(), ID: last.EventID}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s=%q, pages of %d: got %v, want %v", tc.key, tc.value, limit, got, want)
			}
		}
	}
}

// A time range keeps only the events inside it, bounds included.
func TestLookupTimeRangeInsideChunks(t *testing.T) {
	db := storetest.Open(t)
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	s := New(db, allowAll{}, clock.NewFake(t0.Add(time.Hour)), nil, nil)
	defer s.Close()
	var rows []row
	for i := range 10 {
		rows = append(rows, s.rowsOf(&Event{ID: fmt.Sprintf("ev-%d", i), Time: t0.Add(time.Duration(i) * time.Second),
			Region: "us-east-1", Source: "iam.amazonaws.com", Name: "CreateUser", Caller: caller("111122223333")})...)
	}
	if err := insertRows(context.Background(), db, rows); err != nil {
		t.Fatal(err)
	}
	got, err := queryRows(context.Background(), db, "111122223333", "us-east-1", t0.Add(3*time.Second), t0.Add(6*time.Second), "", "", nil, 50)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range got {
		ids = append(ids, r.EventID)
	}
	if want := []string{"ev-6", "ev-5", "ev-4", "ev-3"}; !slices.Equal(ids, want) {
		t.Errorf("events in [3 s, 6 s] = %v, want %v", ids, want)
	}
}
