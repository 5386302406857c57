package loadtest

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseMix(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    []MixEntry
		wantErr string
	}{
		{in: "GetCertificate=3, IssueCertificate=1", want: []MixEntry{{"GetCertificate", 3}, {"IssueCertificate", 1}}},
		{in: "GetPolicy=0,GetResourceShares=2,", want: []MixEntry{{"GetResourceShares", 2}}},
		{in: "GetCertificate", wantErr: "want Operation=weight"},
		{in: "GetCertificate=x", wantErr: "whole number"},
		{in: "GetCertificate=-1", wantErr: "whole number"},
		{in: "GetCallerIdentity=1", wantErr: "operation not in"},
		{in: "GetCertificate=1,GetCertificate=2", wantErr: "twice"},
		{in: "GetCertificate=0", wantErr: "no operation"},
		{in: "", wantErr: "no operation"},
	} {
		got, err := ParseMix(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseMix(%q) = %v, %v; want error %q", tc.in, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseMix(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// TestDefaultMix: the documented ratio, 70 % reads, 20 % IssueCertificate,
// 10 % RequestCertificate.
func TestDefaultMix(t *testing.T) {
	mix, err := ParseMix(DefaultMix)
	if err != nil {
		t.Fatal(err)
	}
	total, by := 0, map[string]int{}
	for _, e := range mix {
		total += e.Weight
		by[e.Operation] = e.Weight
	}
	if total != 100 || by["IssueCertificate"] != 20 || by["RequestCertificate"] != 10 || len(mix) != len(mixOperations) {
		t.Fatalf("default mix %v", mix)
	}
}

func TestPickAt(t *testing.T) {
	weights := []int{70, 0, 20, 10}
	for _, tc := range []struct{ u, want int }{
		{0, 0}, {69, 0}, {70, 2}, {89, 2}, {90, 3}, {99, 3},
	} {
		if got := pickAt(weights, tc.u); got != tc.want {
			t.Errorf("pickAt(%d) = %d, want %d", tc.u, got, tc.want)
		}
	}
	// Every draw of pick lands on an index with a weight > 0.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		if i := pick(weights, rng); weights[i] == 0 {
			t.Fatalf("picked index %d of weight 0", i)
		}
	}
}

func TestFormatPerOperation(t *testing.T) {
	r := &Report{Operation: "mixed", Concurrency: 8, Requests: 12, Errors: 2, Principals: 300,
		P50: time.Millisecond, P99: 3 * time.Millisecond, Max: 4 * time.Millisecond,
		PerOperation: []OpStats{
			{Operation: "GetCertificate", Weight: 3, Count: 9, P50: 1500 * time.Microsecond, P99: 2 * time.Millisecond},
			{Operation: "IssueCertificate", Weight: 1, Count: 1, Errors: 2, P50: 7 * time.Millisecond, P99: 7 * time.Millisecond},
		}}
	out := r.Format()
	for _, want := range []string{
		"callers              300 member accounts",
		"requests             12 (2 errors)",
		"  GetCertificate                75.0%        9       0       1.5ms         2ms\n",
		"  IssueCertificate              25.0%        1       2         7ms         7ms\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestSummarize(t *testing.T) {
	var lat []time.Duration
	for i := 100; i >= 1; i-- {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	s := summarize("GetPolicy", 5, kindResult{latencies: lat, errors: 1})
	want := OpStats{Operation: "GetPolicy", Weight: 5, Count: 100, Errors: 1, P50: 51 * time.Millisecond, P99: 100 * time.Millisecond}
	if s != want {
		t.Fatalf("summarize = %+v, want %+v", s, want)
	}
	if s := summarize("x", 1, kindResult{errors: 3}); s.Count != 0 || s.P50 != 0 || s.Errors != 3 {
		t.Fatalf("empty summarize = %+v", s)
	}
}
