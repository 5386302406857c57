package pca

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/openpca/openpca/internal/benchcpu"
	"github.com/openpca/openpca/internal/pki"
)

// ramPolicy is a policy shaped as RAM writes it for a CA in many shares:
// per share a reads statement and a templated issue statement, five
// account principals each; acctB is in the last share.
func ramPolicy(ca string, shares int) string {
	var stmts []any
	for i := range shares {
		var ps []string
		for j := range 5 {
			ps = append(ps, fmt.Sprintf("arn:aws:iam::%012d:root", 200000000000+i*5+j))
		}
		if i == shares-1 {
			ps[4] = "arn:aws:iam::" + acctB + ":root"
		}
		stmts = append(stmts,
			map[string]any{"Sid": fmt.Sprintf("RamStatement%d", 2*i+1), "Effect": "Allow", "Principal": map[string]any{"AWS": ps},
				"Action":   []string{"acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate", "acm-pca:GetCertificateAuthorityCertificate", "acm-pca:ListPermissions", "acm-pca:ListTags"},
				"Resource": ca},
			map[string]any{"Sid": fmt.Sprintf("RamStatement%d", 2*i+2), "Effect": "Allow", "Principal": map[string]any{"AWS": ps},
				"Action": "acm-pca:IssueCertificate", "Resource": ca,
				"Condition": map[string]any{"StringEquals": map[string]any{"acm-pca:TemplateArn": "arn:aws:acm-pca:::template/EndEntityCertificate/V1"}}})
	}
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": stmts})
	return string(b)
}

// BenchmarkIssueUnderRAMPolicy is BenchmarkIssueCrossAccount with the CA
// policy RAM writes for 500 shares (1,000 statements, 2,500 principals),
// the recipient named in the last statements.
func BenchmarkIssueUnderRAMPolicy(b *testing.B) {
	e, ca, _, cross := benchIssuers(b)
	err := e.svc.db.Tx(bg, func(tx *sql.Tx) error { return e.svc.SetSharedPolicy(bg, tx, ca, ramPolicy(ca, 500)) })
	if err != nil {
		b.Fatal(err)
	}
	e.svc.PolicyChanged(ca)
	in := &IssueCertificateInput{CertificateAuthorityArn: ca, Csr: leafCSR(b, "bench.example.com"),
		SigningAlgorithm: string(pki.SHA256WithECDSA), Validity: days(30)}
	if _, err := e.svc.IssueCertificate(bg, cross, in); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	benchcpu.Report(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.svc.IssueCertificate(bg, cross, in); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkAuthorizeUnderRAMPolicy isolates the authorization part.
func BenchmarkAuthorizeUnderRAMPolicy(b *testing.B) {
	e, ca, _, cross := benchIssuers(b)
	err := e.svc.db.Tx(bg, func(tx *sql.Tx) error { return e.svc.SetSharedPolicy(bg, tx, ca, ramPolicy(ca, 500)) })
	if err != nil {
		b.Fatal(err)
	}
	e.svc.PolicyChanged(ca)
	row, err := e.svc.loadCA(bg, nil, ca)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := e.svc.authorize(bg, cross, "IssueCertificate", row, nil); err != nil {
			b.Fatal(err)
		}
	}
}
