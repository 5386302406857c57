package loadtest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultMix is the mixed profile's ratio: 70 % reads spread over the read
// operations a fleet of services and people send, 20 % unmanaged issuance,
// 10 % ACM managed issuance (each counted until ISSUED).
const DefaultMix = "GetCertificate=15,DescribeCertificate=15,ListCertificates=10,DescribeCertificateAuthority=10," +
	"GetPolicy=10,GetResourceShares=10,IssueCertificate=20,RequestCertificate=10"

// DefaultAccounts is how many member accounts the mixed profile creates.
const DefaultAccounts = 200

// mixOperations are the operations a mix may name.
var mixOperations = []string{"GetCertificate", "DescribeCertificate", "ListCertificates", "DescribeCertificateAuthority",
	"GetPolicy", "GetResourceShares", "IssueCertificate", "RequestCertificate"}

// MixEntry is one operation of a mix and its weight.
type MixEntry struct {
	Operation string
	Weight    int
}

// ParseMix reads "Op=weight,…"; weights are relative (they need not sum to
// 100), operations with weight 0 are dropped, and each may appear once.
func ParseMix(s string) ([]MixEntry, error) {
	var out []MixEntry
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, w, ok := strings.Cut(part, "=")
		name = strings.TrimSpace(name)
		if !ok {
			return nil, fmt.Errorf("mix entry %q: want Operation=weight", part)
		}
		n, err := strconv.Atoi(strings.TrimSpace(w))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("mix entry %q: weight must be a whole number ≥ 0", part)
		}
		if !slices.Contains(mixOperations, name) {
			return nil, fmt.Errorf("mix entry %q: operation not in %s", part, strings.Join(mixOperations, ", "))
		}
		if seen[name] {
			return nil, fmt.Errorf("mix names %s twice", name)
		}
		seen[name] = true
		if n > 0 {
			out = append(out, MixEntry{name, n})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("mix %q has no operation with a weight > 0", s)
	}
	return out, nil
}

// kind is one operation of a run: its weight in the mix and the request
// variants (one per caller) a worker chooses from at random.
type kind struct {
	name     string
	weight   int
	variants []Operation
}

type kindResult struct {
	latencies []time.Duration
	errors    int
}

// pick draws an index with probability weights[i]/sum(weights).
func pick(weights []int, rng *rand.Rand) int {
	if len(weights) == 1 {
		return 0
	}
	total := 0
	for _, w := range weights {
		total += w
	}
	return pickAt(weights, rng.IntN(total))
}

// pickAt maps u in [0, sum(weights)) to the index whose cumulative range
// holds it.
func pickAt(weights []int, u int) int {
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	return len(weights) - 1
}

// OpStats is one operation's share of a mixed run.
type OpStats struct {
	Operation string
	Weight    int
	Count     int // successful
	Errors    int
	P50, P99  time.Duration
}

func summarize(name string, weight int, r kindResult) OpStats {
	slices.Sort(r.latencies)
	s := OpStats{Operation: name, Weight: weight, Count: len(r.latencies), Errors: r.errors}
	if len(r.latencies) > 0 {
		s.P50, s.P99, _ = percentiles(r.latencies)
	}
	return s
}

// percentiles of sorted latencies: p50, p99, max.
func percentiles(sorted []time.Duration) (p50, p99, maxi time.Duration) {
	n := len(sorted)
	return sorted[n/2], sorted[min(n-1, n*99/100)], sorted[n-1]
}

// formatPerOperation renders the per-operation table of a mixed run.
func formatPerOperation(b *strings.Builder, ops []OpStats) {
	total := 0
	for _, o := range ops {
		total += o.Weight
	}
	fmt.Fprintf(b, "%-30s %6s %8s %7s %11s %11s\n", "per operation", "share", "count", "errors", "p50", "p99")
	for _, o := range ops {
		fmt.Fprintf(b, "  %-28s %5.1f%% %8d %7d %11s %11s\n", o.Operation, 100*float64(o.Weight)/float64(max(total, 1)),
			o.Count, o.Errors, o.P50.Round(time.Microsecond), o.P99.Round(time.Microsecond))
	}
}
