package pca

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestPurgeRemovesEverything: permanent deletion removes every row that
// names the CA (certificates, tags, policy, permissions, CRL, audit
// reports) and its audit report files; another CA's are untouched.
func TestPurgeRemovesEverything(t *testing.T) {
	auditDir := t.TempDir()
	e := newEnv(t, Config{PublicBaseURL: base, AuditDir: auditDir, CRLCheckInterval: time.Hour})
	populate := func() string {
		ca := e.revRoot(crlOn(nil))
		a, _ := e.leaf(ca, "a.example.com")
		if err := e.revoke(ca, serialOf(a), "KEY_COMPROMISE"); err != nil {
			t.Fatal(err)
		}
		e.fetchCRL(ca)
		if _, err := e.svc.putPolicy(bg, caIDOf(ca), ca, acct, `{"Version":"2012-10-17","Statement":[]}`, rootCaller(acct).ARN, e.clk.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreatePermission(bg, rootCaller(acct), &CreatePermissionInput{CertificateAuthorityArn: ca,
			Principal: acmPrincipal, Actions: permissionActions}); err != nil {
			t.Fatal(err)
		}
		out, err := e.svc.CreateCertificateAuthorityAuditReport(bg, rootCaller(acct), &CreateCertificateAuthorityAuditReportInput{
			CertificateAuthorityArn: ca, S3BucketName: "audit-bucket", AuditReportResponseFormat: "JSON"})
		if err != nil {
			t.Fatal(err)
		}
		if d := e.waitReport(ca, out.AuditReportId); d.AuditReportStatus != auditSuccess {
			t.Fatalf("report %+v", d)
		}
		e.mustUpdate(ca, statusDisabled)
		return ca
	}
	gone, kept := populate(), populate()
	tables := map[string]string{"pca_cas": "id", "pca_certificates": "ca_id", "pca_ca_tags": "ca_id", "pca_ca_policies": "ca_id",
		"pca_permissions": "ca_id", "pca_crls": "ca_id", "pca_audit_reports": "ca_id"}
	count := func(table, col, id string) int {
		t.Helper()
		var n int
		if err := e.db.QueryRowContext(bg, `SELECT COUNT(*) FROM `+table+` WHERE `+col+` = $1`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	reportDir := func(ca string) string { return filepath.Join(auditDir, "audit-bucket", "audit-report", caIDOf(ca)) }

	seven := int32(7)
	if _, err := e.svc.DeleteCertificateAuthority(bg, rootCaller(acct), &DeleteCertificateAuthorityInput{CertificateAuthorityArn: gone, PermanentDeletionTimeInDays: &seven}); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(7 * 24 * time.Hour)
	_, err := e.svc.DescribeCertificateAuthority(bg, rootCaller(acct), &DescribeCertificateAuthorityInput{CertificateAuthorityArn: gone})
	wantKind(t, err, ErrNotFound) // and purged
	for table, col := range tables {
		if n := count(table, col, caIDOf(gone)); n != 0 {
			t.Errorf("%s: %d rows left for the purged CA", table, n)
		}
		if table != "pca_ca_tags" && count(table, col, caIDOf(kept)) == 0 {
			t.Errorf("%s: the other CA's rows went too", table)
		}
	}
	if _, err := os.Stat(reportDir(gone)); !os.IsNotExist(err) {
		t.Errorf("the purged CA's audit reports remain: %v", err)
	}
	if files, err := os.ReadDir(reportDir(kept)); err != nil || len(files) != 1 {
		t.Errorf("the other CA's audit reports: %v %v", files, err)
	}
}
