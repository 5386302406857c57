// Command scale measures what stored data costs (issue #15 item 4); see
// scripts/scale.sh, which runs it:
//
//	scale prepare -state F        against a running server: a CA, one
//	                              certificate issued by it, one ACM one
//	scale seed -state F -data-dir D -n N
//	                              with the server stopped: N of each, by SQL
//	scale coldstart -url U -pidfile P -out O -- openpca serve …
//	                              starts the server, prints the time to
//	                              /healthz answering 200, leaves it running
//	scale measure -state F -n K   against the restarted server: K sequential
//	                              calls of each measured operation, p50/p99
//	scale audit -state F          one audit report, until SUCCESS
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"

	"github.com/openpca/openpca/internal/loadtest"
)

// state is what prepare created, for seed and measure.
type state struct {
	CA, CAID, PCACert, PCASerial, ACMCert string
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: scale prepare|seed|measure [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	statePath := fs.String("state", "scale-state.json", "state file")
	dataDir := fs.String("data-dir", "", "data directory of the stopped server (seed)")
	n := fs.Int("n", 200, "seed: certificates stored in all; measure: calls per operation")
	stored := fs.Int("stored", 0, "measure: certificates stored (picks a seeded one to read)")
	url := fs.String("url", "", "coldstart: the /healthz URL")
	pidFile := fs.String("pidfile", "", "coldstart: where to write the server's pid")
	outFile := fs.String("out", "", "coldstart: the server's stdout and stderr")
	pid := fs.Int("pid", 0, "measure: the server's pid, for its CPU time per call (Linux)")
	fs.Parse(os.Args[2:])
	ctx := context.Background()
	var err error
	switch os.Args[1] {
	case "prepare":
		err = prepare(ctx, *statePath)
	case "seed":
		var st *state
		if st, err = readState(*statePath); err == nil {
			err = seed(ctx, *dataDir, st, *n)
		}
	case "coldstart":
		err = coldStart(*url, *pidFile, *outFile, fs.Args())
	case "measure":
		var st *state
		if st, err = readState(*statePath); err == nil {
			err = measure(ctx, st, *n, *stored, *pid)
		}
	case "audit":
		var st *state
		if st, err = readState(*statePath); err == nil {
			cfg, _, cerr := clients(ctx)
			if err = cerr; err == nil {
				err = auditReport(ctx, acmpca.NewFromConfig(cfg), st)
			}
		}
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

func readState(path string) (*state, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var st state
	return &st, json.Unmarshal(b, &st)
}

// clients from the AWS profile (AWS_PROFILE), as openpca serve prints it.
func clients(ctx context.Context) (aws.Config, loadtest.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return cfg, loadtest.Config{}, err
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil || cfg.BaseEndpoint == nil {
		return cfg, loadtest.Config{}, fmt.Errorf("profile without credentials or endpoint_url: %v", err)
	}
	return cfg, loadtest.Config{Endpoint: *cfg.BaseEndpoint, Region: cfg.Region, Credentials: creds, KeyAlgorithm: "EC_prime256v1"}, nil
}

func prepare(ctx context.Context, path string) error {
	cfg, lcfg, err := clients(ctx)
	if err != nil {
		return err
	}
	ca, err := loadtest.SetupCA(ctx, lcfg)
	if err != nil {
		return err
	}
	pca := acmpca.NewFromConfig(cfg)
	csr, err := loadtest.LeafCSR()
	if err != nil {
		return err
	}
	issued, err := pca.IssueCertificate(ctx, &acmpca.IssueCertificateInput{CertificateAuthorityArn: &ca, Csr: csr,
		SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa,
		Validity:         &pcatypes.Validity{Type: pcatypes.ValidityPeriodTypeDays, Value: aws.Int64(30)}})
	if err != nil {
		return err
	}
	acmc := acm.NewFromConfig(cfg)
	req, err := acmc.RequestCertificate(ctx, &acm.RequestCertificateInput{DomainName: aws.String("scale.openpca.test"), CertificateAuthorityArn: &ca,
		KeyAlgorithm: acmtypes.KeyAlgorithmEcPrime256v1})
	if err != nil {
		return err
	}
	for {
		d, err := acmc.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: req.CertificateArn})
		if err != nil {
			return err
		}
		if st := d.Certificate.Status; st == acmtypes.CertificateStatusIssued {
			break
		} else if st != acmtypes.CertificateStatusPendingValidation {
			return fmt.Errorf("ACM certificate %s: %s %s", *req.CertificateArn, st, d.Certificate.FailureReason)
		}
		time.Sleep(50 * time.Millisecond)
	}
	st := state{CA: ca, CAID: ca[strings.LastIndex(ca, "/")+1:], PCACert: *issued.CertificateArn,
		PCASerial: (*issued.CertificateArn)[strings.LastIndex(*issued.CertificateArn, "/")+1:], ACMCert: *req.CertificateArn}
	b, _ := json.Marshal(st)
	return os.WriteFile(path, b, 0o600)
}

// measure calls each operation k times in a row (one client, as
// `loadtest -c 1`) after one warm-up call, and prints p50/p99.
func measure(ctx context.Context, st *state, k, stored, pid int) error {
	cfg, _, err := clients(ctx)
	if err != nil {
		return err
	}
	pca, acmc := acmpca.NewFromConfig(cfg), acm.NewFromConfig(cfg)
	// A seeded certificate from the middle of the table.
	pcaCert := st.PCACert
	if stored > 1 {
		pcaCert = st.CA + "/certificate/" + seededSerial(stored/2)
	}
	// ACM lists only RSA certificates unless asked for other key types.
	ecOnly := &acmtypes.Filters{KeyTypes: []acmtypes.KeyAlgorithm{acmtypes.KeyAlgorithmEcPrime256v1}}
	ops := []struct {
		name string
		call func() error
	}{
		{"acm-pca GetCertificate", func() error {
			_, err := pca.GetCertificate(ctx, &acmpca.GetCertificateInput{CertificateAuthorityArn: &st.CA, CertificateArn: &pcaCert})
			return err
		}},
		{"acm ListCertificates (first page)", func() error {
			out, err := acmc.ListCertificates(ctx, &acm.ListCertificatesInput{Includes: ecOnly})
			if err == nil && len(out.CertificateSummaryList) == 0 {
				err = fmt.Errorf("empty page")
			}
			return err
		}},
		{"acm ListCertificates (10th page of 100)", func() error {
			p := acm.NewListCertificatesPaginator(acmc, &acm.ListCertificatesInput{Includes: ecOnly, MaxItems: aws.Int32(100)})
			for range 10 {
				if _, err := p.NextPage(ctx); err != nil {
					return err
				}
			}
			return nil
		}},
		{"acm-pca ListCertificateAuthorities", func() error {
			_, err := pca.ListCertificateAuthorities(ctx, &acmpca.ListCertificateAuthoritiesInput{})
			return err
		}},
	}
	for _, op := range ops {
		if err := op.call(); err != nil {
			return fmt.Errorf("%s: %w", op.name, err)
		}
		lat := make([]time.Duration, 0, k)
		cpu0 := threadsCPU(pid)
		for range k {
			t0 := time.Now()
			if err := op.call(); err != nil {
				return fmt.Errorf("%s: %w", op.name, err)
			}
			lat = append(lat, time.Since(t0))
		}
		cpu := (threadsCPU(pid) - cpu0) / time.Duration(k)
		slices.Sort(lat)
		fmt.Printf("%-42s n=%d p50 %s p99 %s server CPU/call %s\n", op.name, k, lat[k/2].Round(time.Microsecond),
			lat[min(k-1, k*99/100)].Round(time.Microsecond), cpu.Round(time.Microsecond))
	}
	return nil
}

// coldStart runs argv and polls url every millisecond until it answers
// 200: the time from exec to ready, store opening and migrations included.
func coldStart(url, pidFile, outFile string, argv []string) error {
	if len(argv) == 0 || url == "" {
		return fmt.Errorf("coldstart: -url and a command are required")
	}
	out, err := os.Create(outFile)
	if err != nil {
		return err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = out, out
	client := &http.Client{Timeout: time.Second}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(cmd.Process.Pid)), 0o600); err != nil {
		return err
	}
	for time.Since(t0) < time.Minute {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				wall := time.Since(t0)
				fmt.Printf("%-42s %s (server CPU %s)\n", "cold start to /healthz", wall.Round(100*time.Microsecond), processCPU(cmd.Process.Pid))
				return nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	return fmt.Errorf("coldstart: %s not ready after a minute", url)
}

// auditReport times CreateCertificateAuthorityAuditReport (the call) and
// the report until DescribeCertificateAuthorityAuditReport says SUCCESS.
func auditReport(ctx context.Context, pca *acmpca.Client, st *state) error {
	t0 := time.Now()
	out, err := pca.CreateCertificateAuthorityAuditReport(ctx, &acmpca.CreateCertificateAuthorityAuditReportInput{
		CertificateAuthorityArn: &st.CA, S3BucketName: aws.String("scale-reports"), AuditReportResponseFormat: pcatypes.AuditReportResponseFormatJson})
	if err != nil {
		return fmt.Errorf("audit report: %w", err)
	}
	call := time.Since(t0)
	for {
		d, err := pca.DescribeCertificateAuthorityAuditReport(ctx, &acmpca.DescribeCertificateAuthorityAuditReportInput{
			CertificateAuthorityArn: &st.CA, AuditReportId: out.AuditReportId})
		if err != nil {
			return err
		}
		if d.AuditReportStatus != pcatypes.AuditReportStatusCreating {
			fmt.Printf("%-42s call %s, %s after %s\n", "acm-pca CreateCertificateAuthorityAuditReport", call.Round(time.Microsecond),
				d.AuditReportStatus, time.Since(t0).Round(time.Millisecond))
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// processCPU is the user+system CPU time a process has used so far, from
// /proc (in clock ticks of 10 ms); "?" elsewhere. Unlike wall time it
// barely moves when other processes share the cores.
func processCPU(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "?"
	}
	// Fields after the command name, which is in parentheses.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return "?"
	}
	u, _ := strconv.Atoi(f[11])
	k, _ := strconv.Atoi(f[12])
	return (time.Duration(u+k) * 10 * time.Millisecond).String()
}

// threadsCPU is the CPU time of all of a process's threads in nanoseconds
// (/proc/PID/task/*/schedstat); 0 without a pid or /proc.
func threadsCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	var sum time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(dir + "/" + t.Name() + "/schedstat")
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) > 0 {
			ns, _ := strconv.ParseInt(f[0], 10, 64)
			sum += time.Duration(ns)
		}
	}
	return sum
}
