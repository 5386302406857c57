// Package loadtest drives a running OpenPCA with real SigV4-signed requests
// from concurrent clients and reports throughput and latency, next to the raw
// cost of the request's cryptography measured in the same run.
package loadtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/sigv4"
)

// Operation is a request shape the tool can send.
type Operation struct {
	Service     string // signing name
	ContentType string
	Target      string // X-Amz-Target, JSON services only
	Path        string // request path of restJson services (RAM); "/" otherwise
	Body        string
	// Creds, when set, sign this request instead of Config.Credentials (a
	// principal of another account in the mixed profile).
	Creds *aws.Credentials
	// run, when set, is one multi-request unit of work (RequestCertificate
	// and its polling until ISSUED); send signs and sends one request.
	run func(ctx context.Context, send func(Operation) ([]byte, error)) error
}

// Operations the tool knows by name.
var Operations = map[string]Operation{
	"GetCallerIdentity": {Service: "sts", ContentType: "application/x-www-form-urlencoded; charset=utf-8", Body: "Action=GetCallerIdentity&Version=2011-06-15"},
	"GetUser":           {Service: "iam", ContentType: "application/x-www-form-urlencoded; charset=utf-8", Body: "Action=GetUser&Version=2010-05-08"},
}

// Config of one run.
type Config struct {
	Endpoint    string
	Region      string
	Credentials aws.Credentials
	Operation   string
	// KeyAlgorithm of the CA created for acm-pca operations
	// (EC_prime256v1 or RSA_2048).
	KeyAlgorithm string
	Concurrency  int
	Requests     int           // total requests; 0 means run for Duration
	Duration     time.Duration // used when Requests is 0
	// Mix weighs the operations of the "mixed" profile ("" = DefaultMix).
	Mix string
	// Accounts is how many member accounts the mixed profile creates, each
	// calling through the RAM-shared CA (0 = DefaultAccounts).
	Accounts int
	// OnStart, if set, is called when setup is done and the timed run begins.
	OnStart func()
	// Setup, if set, receives progress lines of the set-up.
	Setup func(string)

	principals int // set up by the mixed profile, for the report
}

// Report is one run's result.
type Report struct {
	Operation   string
	Concurrency int
	Requests    int
	Errors      int
	Elapsed     time.Duration
	Throughput  float64 // successful requests per second
	P50, P99    time.Duration
	Max         time.Duration
	// CryptoPerRequest is the measured cost of signing plus verifying one
	// such request (SHA-256 of the body, canonical request, HMAC chain) on
	// this machine, in this run.
	CryptoPerRequest time.Duration
	// CryptoBound is the throughput the machine's cores would reach if each
	// request cost only its cryptography (client sign + server verify).
	CryptoBound float64
	// RawPerRequest is the CPU time of the operation's own work without
	// HTTP, authentication, authorization or storage (for IssueCertificate:
	// the pki pipeline on one thread), measured in this run; zero when not
	// applicable.
	RawPerRequest time.Duration
	// RawMin and RawMax are the lowest and highest of the raw
	// measurements whose median RawPerRequest is.
	RawMin, RawMax time.Duration
	RawLabel       string
	KeyAlgorithm   string
	FirstError     string
	// PerOperation breaks a mixed run down by operation, in mix order.
	PerOperation []OpStats
	Principals   int // callers of the mixed profile (member accounts)
}

// Run sends the requests and measures.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 1
	}
	kinds, sampleRaw, rawLabel, err := prepare(ctx, &cfg)
	if err != nil {
		return nil, err
	}
	var raws []time.Duration
	if sampleRaw != nil {
		if raws, err = measureRaw(sampleRaw, raws); err != nil {
			return nil, err
		}
	}
	crypto, err := measureCrypto(cfg, kinds[0].variants[0])
	if err != nil {
		return nil, err
	}
	weights := make([]int, len(kinds))
	for i, k := range kinds {
		weights[i] = k.weight
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Concurrency, MaxConnsPerHost: cfg.Concurrency}}
	signer := v4.NewSigner()
	var (
		next     atomic.Int64
		firstErr atomic.Value
		mu       sync.Mutex
		perKind  = make([]kindResult, len(kinds))
		wg       sync.WaitGroup
	)
	if cfg.OnStart != nil {
		cfg.OnStart()
	}
	deadline := time.Now().Add(cfg.Duration)
	start := time.Now()
	for w := 0; w < cfg.Concurrency; w++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(time.Now().UnixNano())))
			local := make([]kindResult, len(kinds))
			for ctx.Err() == nil {
				if cfg.Requests > 0 {
					if next.Add(1) > int64(cfg.Requests) {
						break
					}
				} else if time.Now().After(deadline) {
					break
				}
				ki := pick(weights, rng)
				variants := kinds[ki].variants
				op := variants[rng.IntN(len(variants))]
				t0 := time.Now()
				var err error
				if op.run != nil {
					err = op.run(ctx, func(o Operation) ([]byte, error) { return doOne(ctx, client, signer, cfg, o) })
				} else {
					_, err = doOne(ctx, client, signer, cfg, op)
				}
				if err != nil {
					local[ki].errors++
					firstErr.CompareAndSwap(nil, kinds[ki].name+": "+err.Error())
					continue
				}
				local[ki].latencies = append(local[ki].latencies, time.Since(t0))
			}
			mu.Lock()
			for i := range local {
				perKind[i].latencies = append(perKind[i].latencies, local[i].latencies...)
				perKind[i].errors += local[i].errors
			}
			mu.Unlock()
		}(uint64(w))
	}
	wg.Wait()
	elapsed := time.Since(start)
	if sampleRaw != nil {
		if raws, err = measureRaw(sampleRaw, raws); err != nil {
			return nil, err
		}
	}
	r := &Report{
		Operation:        cfg.Operation,
		Concurrency:      cfg.Concurrency,
		Elapsed:          elapsed,
		CryptoPerRequest: crypto,
		KeyAlgorithm:     cfg.KeyAlgorithm,
		RawLabel:         rawLabel,
		Principals:       cfg.principals,
	}
	var all []time.Duration
	for i, k := range kinds {
		res := perKind[i]
		all = append(all, res.latencies...)
		r.Errors += res.errors
		if len(kinds) > 1 {
			r.PerOperation = append(r.PerOperation, summarize(k.name, k.weight, res))
		}
	}
	r.Requests = len(all) + r.Errors
	if crypto > 0 {
		r.CryptoBound = float64(runtime.NumCPU()) / crypto.Seconds()
	}
	if s, ok := firstErr.Load().(string); ok {
		r.FirstError = s
	}
	if len(raws) > 0 {
		slices.Sort(raws)
		r.RawPerRequest, r.RawMin, r.RawMax = raws[len(raws)/2], raws[0], raws[len(raws)-1]
	}
	slices.Sort(all)
	if n := len(all); n > 0 {
		r.Throughput = float64(n) / elapsed.Seconds()
		r.P50, r.P99, r.Max = percentiles(all)
	}
	return r, nil
}

// rawSampler measures the operation's raw cost once: one batch of the
// pure work on one locked thread, per request.
type rawSampler func() (time.Duration, error)

// rawSamples is how many times the raw cost is measured before the load
// and again after it. This VM's speed moves by tens of percent from
// minute to minute: one measurement before the load put the ratios of
// runs with the same throughput anywhere between 0.56 and 0.87.
const rawSamples = 3

// measureRaw appends rawSamples measurements to raws.
func measureRaw(sample rawSampler, raws []time.Duration) ([]time.Duration, error) {
	for range rawSamples {
		d, err := sample()
		if err != nil {
			return nil, err
		}
		raws = append(raws, d)
	}
	return raws, nil
}

// prepare sets up what cfg.Operation needs on the target (a CA,
// certificates, shares, accounts) and returns the request kinds to send.
func prepare(ctx context.Context, cfg *Config) ([]kind, rawSampler, string, error) {
	if op, ok := Operations[cfg.Operation]; ok {
		cfg.KeyAlgorithm = "" // only acm-pca operations create a CA
		return []kind{{name: cfg.Operation, weight: 1, variants: []Operation{op}}}, nil, "", nil
	}
	if cfg.KeyAlgorithm == "" {
		cfg.KeyAlgorithm = "EC_prime256v1"
	}
	if cfg.Operation == "mixed" {
		kinds, err := mixedSetup(ctx, cfg)
		return kinds, nil, "", err
	}
	if !slices.Contains(caOperations, cfg.Operation) {
		return nil, nil, "", fmt.Errorf("unknown operation %q (known: GetCallerIdentity, GetUser, %s, mixed)", cfg.Operation, strings.Join(caOperations, ", "))
	}
	op, raw, rawLabel, err := pcaOperation(ctx, *cfg)
	if err != nil {
		return nil, nil, "", err
	}
	return []kind{{name: cfg.Operation, weight: 1, variants: []Operation{op}}}, raw, rawLabel, nil
}

func newRequest(ctx context.Context, cfg Config, op Operation) (*http.Request, string, error) {
	path := op.Path
	if path == "" {
		path = "/"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(cfg.Endpoint, "/")+path, bytes.NewReader([]byte(op.Body)))
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Content-Type", op.ContentType)
	if op.Target != "" {
		req.Header.Set("X-Amz-Target", op.Target)
	}
	if c := credsOf(cfg, op); c.SessionToken != "" {
		req.Header.Set("X-Amz-Security-Token", c.SessionToken)
	}
	sum := sha256.Sum256([]byte(op.Body))
	return req, hex.EncodeToString(sum[:]), nil
}

func credsOf(cfg Config, op Operation) aws.Credentials {
	if op.Creds != nil {
		return *op.Creds
	}
	return cfg.Credentials
}

func doOne(ctx context.Context, client *http.Client, signer *v4.Signer, cfg Config, op Operation) ([]byte, error) {
	req, hash, err := newRequest(ctx, cfg, op)
	if err != nil {
		return nil, err
	}
	if err := signer.SignHTTP(ctx, credsOf(cfg, op), req, hash, op.Service, cfg.Region, time.Now()); err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, body)
	}
	return body, nil
}

// measureCrypto times client signing plus server verification of the same
// request shape, without network or storage, for the ratio in the report.
func measureCrypto(cfg Config, op Operation) (time.Duration, error) {
	ctx := context.Background()
	signer := v4.NewSigner()
	verifier := &sigv4.Verifier{Clock: clock.Real{}}
	creds := credsOf(cfg, op)
	secret := &sigv4.Secret{SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken}
	lookup := func(string) (*sigv4.Secret, error) { return secret, nil }
	const n = 2000
	start := time.Now()
	for i := 0; i < n; i++ {
		req, hash, err := newRequest(ctx, cfg, op)
		if err != nil {
			return 0, err
		}
		req.Host = req.URL.Host
		if err := signer.SignHTTP(ctx, creds, req, hash, op.Service, cfg.Region, time.Now()); err != nil {
			return 0, err
		}
		auth, err := sigv4.ParseAuthorization(req.Header.Get("Authorization"))
		if err != nil {
			return 0, err
		}
		if err := verifier.Verify(req, []byte(op.Body), auth, lookup); err != nil {
			return 0, fmt.Errorf("self-check of the signature failed: %w", err)
		}
	}
	return time.Since(start) / n, nil
}

// Format renders a report as the lines docs/benchmarks.md records.
func (r *Report) Format() string {
	var b strings.Builder
	fmt.Fprintf(&b, "operation            %s\n", r.Operation)
	if r.KeyAlgorithm != "" {
		fmt.Fprintf(&b, "CA key algorithm     %s\n", r.KeyAlgorithm)
	}
	fmt.Fprintf(&b, "concurrency          %d\n", r.Concurrency)
	if r.Principals > 0 {
		fmt.Fprintf(&b, "callers              %d member accounts through a RAM-shared CA, plus the owner\n", r.Principals)
	}
	fmt.Fprintf(&b, "requests             %d (%d errors)\n", r.Requests, r.Errors)
	fmt.Fprintf(&b, "elapsed              %s\n", r.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(&b, "throughput           %.0f req/s\n", r.Throughput)
	fmt.Fprintf(&b, "latency p50/p99/max  %s / %s / %s\n", r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond), r.Max.Round(time.Microsecond))
	fmt.Fprintf(&b, "crypto per request   %s (client sign + server verify, same run)\n", r.CryptoPerRequest.Round(100*time.Nanosecond))
	if r.CryptoPerRequest > 0 && r.P50 > 0 {
		fmt.Fprintf(&b, "p50 / crypto         %.1fx\n", float64(r.P50)/float64(r.CryptoPerRequest))
	}
	if r.CryptoBound > 0 {
		fmt.Fprintf(&b, "throughput / crypto-bound (%d cores)  %.3f\n", runtime.NumCPU(), r.Throughput/r.CryptoBound)
	}
	if r.RawPerRequest > 0 {
		rawBound := float64(runtime.NumCPU()) / r.RawPerRequest.Seconds()
		fmt.Fprintf(&b, "%s  %s CPU per request = %.0f/s on %d cores\n", r.RawLabel, r.RawPerRequest.Round(time.Microsecond), rawBound, runtime.NumCPU())
		fmt.Fprintf(&b, "raw measurements     median of %d, %s – %s (before and after the load)\n", 2*rawSamples, r.RawMin.Round(time.Microsecond), r.RawMax.Round(time.Microsecond))
		fmt.Fprintf(&b, "end-to-end / raw     %.2f\n", r.Throughput/rawBound)
	}
	if len(r.PerOperation) > 0 {
		formatPerOperation(&b, r.PerOperation)
	}
	if r.FirstError != "" {
		fmt.Fprintf(&b, "first error          %s\n", r.FirstError)
	}
	return b.String()
}
