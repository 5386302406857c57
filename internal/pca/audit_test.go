package pca

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func (e *env) waitReport(ca, id string) *DescribeCertificateAuthorityAuditReportOutput {
	e.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, err := e.svc.DescribeCertificateAuthorityAuditReport(bg, rootCaller(acct), &DescribeCertificateAuthorityAuditReportInput{CertificateAuthorityArn: ca, AuditReportId: id})
		if err != nil {
			e.t.Fatal(err)
		}
		if out.AuditReportStatus != auditCreating || time.Now().After(deadline) {
			return out
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestAuditReport(t *testing.T) {
	e := newEnv(t, Config{AuditDir: t.TempDir()})
	ca := e.revRoot(nil)
	a, _ := e.leaf(ca, "a.example.com")
	b, _ := e.leaf(ca, "b.example.com")
	if err := e.revoke(ca, serialOf(b), "KEY_COMPROMISE"); err != nil {
		t.Fatal(err)
	}
	create := func(format string) (*CreateCertificateAuthorityAuditReportOutput, error) {
		return e.svc.CreateCertificateAuthorityAuditReport(bg, rootCaller(acct), &CreateCertificateAuthorityAuditReportInput{
			CertificateAuthorityArn: ca, S3BucketName: "audit-bucket", AuditReportResponseFormat: format})
	}
	read := func(out *CreateCertificateAuthorityAuditReportOutput) []byte {
		t.Helper()
		if d := e.waitReport(ca, out.AuditReportId); d.AuditReportStatus != auditSuccess || d.S3BucketName != "audit-bucket" || d.S3Key != out.S3Key || !d.CreatedAt.Equal(e.clk.Now()) {
			t.Fatalf("describe: %+v", d)
		}
		if !strings.HasPrefix(out.S3Key, "audit-report/"+caIDOf(ca)+"/"+out.AuditReportId+".") {
			t.Errorf("S3Key %s", out.S3Key)
		}
		body, ctype, err := e.svc.AuditReportObject(bg, rootCaller(acct), "audit-bucket", out.S3Key)
		if err != nil || ctype == "" {
			t.Fatalf("object: %v", err)
		}
		return body
	}

	out, err := create("JSON")
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	if err := json.Unmarshal(read(out), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 { // the root's own certificate and two leaves
		t.Fatalf("%d rows: %v", len(rows), rows)
	}
	bySerial := map[string]map[string]string{}
	for _, r := range rows {
		bySerial[strings.ReplaceAll(r["serial"], ":", "")] = r
		if r["awsAccountId"] != acct || r["notBefore"] == "" || !strings.HasSuffix(r["issuedAt"], "+0000") || r["templateArn"] == "" {
			t.Errorf("row %v", r)
		}
	}
	ra, rb := bySerial[serialOf(a)], bySerial[serialOf(b)]
	if ra == nil || rb == nil || ra["certificateArn"] != a || rb["certificateArn"] != b || ra["subject"] != "CN=a.example.com" {
		t.Fatalf("rows %v", rows)
	}
	if ra["revokedAt"] != "" || rb["revokedAt"] != e.clk.Now().Format("2006-01-02T15:04:05-0700") || rb["revocationReason"] != "KEY_COMPROMISE" {
		t.Errorf("revocation columns: %v / %v", ra, rb)
	}

	_, err = create("CSV")
	wantKind(t, err, ErrRequestInProgress)
	e.clk.Advance(31 * time.Minute)
	out, err = create("CSV")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(string(read(out)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || strings.Join(recs[0], ",") != strings.Join(auditCSVHeader, ",") {
		t.Fatalf("CSV %v", recs)
	}
	found := false
	for _, r := range recs[1:] {
		if r[2] == b && r[8] != "" && r[9] == "KEY_COMPROMISE" && r[0] == acct {
			found = true
		}
	}
	if !found {
		t.Errorf("revoked row missing in %v", recs)
	}
	if _, _, err := e.svc.AuditReportObject(bg, rootCaller("444455556666"), "audit-bucket", out.S3Key); !isDenied(err) {
		t.Errorf("another account read the report: %v", err)
	}
	if _, _, err := e.svc.AuditReportObject(bg, rootCaller(acct), "other-bucket", out.S3Key); err == nil {
		t.Error("report served from the wrong bucket")
	}
}

func TestAuditReportBadInput(t *testing.T) {
	e := newEnv(t, Config{AuditDir: t.TempDir()})
	ca := e.revRoot(nil)
	pending := e.create("ROOT", "EC_prime256v1", "Pending")
	tests := []struct {
		name, ca, bucket, format string
		want                     error
	}{
		{"bucket with slash", ca, "a/b", "JSON", ErrInvalidArgs},
		{"bucket with dots", ca, "a..b", "JSON", ErrInvalidArgs},
		{"upper-case bucket", ca, "Bucket", "JSON", ErrInvalidArgs},
		{"XML", ca, "bucket", "XML", ErrInvalidArgs},
		{"pending CA", pending, "bucket", "JSON", ErrInvalidState},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.CreateCertificateAuthorityAuditReport(bg, rootCaller(acct), &CreateCertificateAuthorityAuditReportInput{
				CertificateAuthorityArn: tc.ca, S3BucketName: tc.bucket, AuditReportResponseFormat: tc.format})
			wantKind(t, err, tc.want)
		})
	}
	_, err := e.svc.DescribeCertificateAuthorityAuditReport(bg, rootCaller(acct), &DescribeCertificateAuthorityAuditReportInput{
		CertificateAuthorityArn: ca, AuditReportId: "00000000-0000-4000-8000-000000000000"})
	wantKind(t, err, ErrNotFound)
}

// TestAuditReportAfterClose: once the revocation machinery is closed (its
// Wait done), a report request that got past the service's closed check
// is refused instead of starting a writer nobody waits for.
func TestAuditReportAfterClose(t *testing.T) {
	e := newEnv(t, Config{AuditDir: t.TempDir()})
	ca := e.revRoot(nil)
	e.svc.rev.close()
	_, err := e.svc.CreateCertificateAuthorityAuditReport(bg, rootCaller(acct), &CreateCertificateAuthorityAuditReportInput{
		CertificateAuthorityArn: ca, S3BucketName: "audit-bucket", AuditReportResponseFormat: "JSON"})
	wantKind(t, err, ErrRequestFailed)
	var n int
	if err := e.db.QueryRowContext(bg, `SELECT COUNT(*) FROM pca_audit_reports`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d report rows (%v) after a refused request", n, err)
	}
}
