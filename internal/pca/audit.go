package pca

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/openpca/openpca/internal/authz"
)

// Audit report statuses (AuditReportStatus).
const (
	auditCreating = "CREATING"
	auditSuccess  = "SUCCESS"
	auditFailed   = "FAILED"
)

// auditInterval is AWS's one-report-per-CA window.
const auditInterval = 30 * time.Minute

type CreateCertificateAuthorityAuditReportInput struct {
	CertificateAuthorityArn   string `required:"true" min:"5" max:"200" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	S3BucketName              string `required:"true" min:"3" max:"63"`
	AuditReportResponseFormat string `required:"true" enum:"JSON,CSV"`
}

type CreateCertificateAuthorityAuditReportOutput struct {
	AuditReportId string
	S3Key         string
}

type DescribeCertificateAuthorityAuditReportInput struct {
	CertificateAuthorityArn string `required:"true" min:"5" max:"200" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	AuditReportId           string `required:"true" min:"36" max:"36" pattern:"[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}"`
}

type DescribeCertificateAuthorityAuditReportOutput struct {
	AuditReportStatus string `json:",omitempty"`
	S3BucketName      string `json:",omitempty"`
	S3Key             string `json:",omitempty"`
	CreatedAt         time.Time
}

// S3 bucket naming, which also keeps the name a single safe path element.
var bucketRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// CreateCertificateAuthorityAuditReport starts a report of every
// certificate the CA issued or revoked, in JSON or CSV, written to the
// local bucket directory <AuditDir>/<S3BucketName>/<S3Key>. The CA must be
// ACTIVE or DISABLED; one report per CA per 30 minutes
// (RequestInProgressException). The report is written in the background;
// DescribeCertificateAuthorityAuditReport shows CREATING, then SUCCESS.
func (s *Service) CreateCertificateAuthorityAuditReport(ctx context.Context, caller *authz.Caller, in *CreateCertificateAuthorityAuditReportInput) (*CreateCertificateAuthorityAuditReportOutput, error) {
	ca, err := s.findCA(ctx, caller, "CreateCertificateAuthorityAuditReport", in.CertificateAuthorityArn)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, caller, "CreateCertificateAuthorityAuditReport", ca, nil); err != nil {
		return nil, err
	}
	if !bucketRE.MatchString(in.S3BucketName) || strings.Contains(in.S3BucketName, "..") {
		return nil, errf(ErrInvalidArgs, "The S3 bucket name %s is not valid.", in.S3BucketName)
	}
	ext := map[string]string{"JSON": "json", "CSV": "csv"}[in.AuditReportResponseFormat]
	if ext == "" {
		return nil, errf(ErrInvalidArgs, "AuditReportResponseFormat must be JSON or CSV.")
	}
	now := s.clk.Now()
	if st := ca.effectiveStatus(now); st != statusActive && st != statusDisabled {
		return nil, wrongState(ca.ARN, "create an audit report")
	}
	if s.cfg.AuditDir == "" {
		return nil, errf(ErrRequestFailed, "Audit reports are not configured on this server.")
	}
	id := uuid.NewString()
	row := &auditRow{ID: id, CAID: ca.ID, Status: auditCreating, Bucket: in.S3BucketName,
		Key: "audit-report/" + ca.ID + "/" + id + "." + ext, Format: in.AuditReportResponseFormat,
		CreatedAt: now, RequestedBy: caller.ARN}
	// Reserved before the row exists, so a closing service leaves no
	// report stuck in CREATING.
	if !s.rev.startAudit() {
		return nil, errf(ErrRequestFailed, "The service is shutting down; please retry.")
	}
	busy, err := s.insertAuditReport(ctx, row, now.Add(-auditInterval))
	if err != nil || busy {
		s.rev.auditWG.Done()
	}
	if err != nil {
		return nil, err
	}
	if busy {
		return nil, errf(ErrRequestInProgress, "An audit report for %s was created less than 30 minutes ago; try again later.", ca.ARN)
	}
	go func() {
		defer s.rev.auditWG.Done()
		status := auditSuccess
		if err := s.writeAuditReport(context.Background(), ca, row); err != nil {
			status = auditFailed
		}
		_ = s.setAuditStatus(context.Background(), row.ID, status)
	}()
	return &CreateCertificateAuthorityAuditReportOutput{AuditReportId: id, S3Key: row.Key}, nil
}

// DescribeCertificateAuthorityAuditReport shows a report's status and location.
func (s *Service) DescribeCertificateAuthorityAuditReport(ctx context.Context, caller *authz.Caller, in *DescribeCertificateAuthorityAuditReportInput) (*DescribeCertificateAuthorityAuditReportOutput, error) {
	ca, err := s.findCA(ctx, caller, "DescribeCertificateAuthorityAuditReport", in.CertificateAuthorityArn)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, caller, "DescribeCertificateAuthorityAuditReport", ca, nil); err != nil {
		return nil, err
	}
	r, err := s.getAuditReport(ctx, in.AuditReportId)
	if err != nil {
		return nil, err
	}
	if r == nil || r.CAID != ca.ID {
		return nil, errf(ErrNotFound, "Could not find audit report %s for %s.", in.AuditReportId, ca.ARN)
	}
	return &DescribeCertificateAuthorityAuditReportOutput{AuditReportStatus: r.Status, S3BucketName: r.Bucket,
		S3Key: r.Key, CreatedAt: r.CreatedAt}, nil
}

// AuditReportObject returns a finished report's bytes and content type for
// the HTTP transport: bucket and key as CreateCertificateAuthorityAuditReport
// answered them. The caller must be allowed
// acm-pca:DescribeCertificateAuthorityAuditReport on the CA (authz denial
// errors pass through); a missing or unfinished report is ErrNotFound.
func (s *Service) AuditReportObject(ctx context.Context, caller *authz.Caller, bucket, key string) ([]byte, string, error) {
	notFound := errf(ErrNotFound, "The object %s does not exist in bucket %s.", key, bucket)
	parts := strings.Split(key, "/")
	if len(parts) != 3 || parts[0] != "audit-report" || !uuidRE.MatchString(parts[1]) {
		return nil, "", notFound
	}
	id, ext, _ := strings.Cut(parts[2], ".")
	if !uuidRE.MatchString(id) {
		return nil, "", notFound
	}
	r, err := s.getAuditReport(ctx, id)
	if err != nil {
		return nil, "", err
	}
	if r == nil || r.CAID != parts[1] || r.Bucket != bucket || r.Key != key {
		return nil, "", notFound
	}
	ca, err := s.getCA(ctx, r.CAID)
	if err != nil {
		return nil, "", err
	}
	if ca == nil {
		return nil, "", notFound
	}
	if err := s.authorize(ctx, caller, "DescribeCertificateAuthorityAuditReport", ca, nil); err != nil {
		return nil, "", err
	}
	if r.Status != auditSuccess {
		return nil, "", notFound
	}
	b, err := os.ReadFile(s.auditPath(r))
	if err != nil {
		return nil, "", notFound
	}
	ctype := "application/json"
	if ext == "csv" {
		ctype = "text/csv"
	}
	return b, ctype, nil
}

// removeAuditFiles deletes a removed CA's report files: without their
// rows nobody can download them. Each CA's reports live in their own
// directory per bucket. Failures are logged; the rows are gone already.
func (s *Service) removeAuditFiles(caID string, buckets []string) {
	if s.cfg.AuditDir == "" || !uuidRE.MatchString(caID) {
		return
	}
	for _, b := range buckets {
		if !bucketRE.MatchString(b) || strings.Contains(b, "..") {
			continue
		}
		if err := os.RemoveAll(filepath.Join(s.cfg.AuditDir, b, "audit-report", caID)); err != nil {
			s.cfg.Logger.Warn("pca: removing a deleted CA's audit reports failed", "ca", caID, "bucket", b, "error", err.Error())
		}
	}
}

func (s *Service) auditPath(r *auditRow) string {
	return filepath.Join(s.cfg.AuditDir, r.Bucket, filepath.FromSlash(r.Key))
}

// auditRecord is one report row, with AWS's field names.
type auditRecord struct {
	AwsAccountId                string `json:"awsAccountId"`
	RequestedByServicePrincipal string `json:"requestedByServicePrincipal,omitempty"`
	CertificateArn              string `json:"certificateArn"`
	Serial                      string `json:"serial"`
	Subject                     string `json:"subject"`
	NotBefore                   string `json:"notBefore"`
	NotAfter                    string `json:"notAfter"`
	IssuedAt                    string `json:"issuedAt"`
	RevokedAt                   string `json:"revokedAt,omitempty"`
	RevocationReason            string `json:"revocationReason,omitempty"`
	TemplateArn                 string `json:"templateArn"`
}

var auditCSVHeader = []string{"awsAccountId", "requestedByServicePrincipal", "certificateArn", "serial", "subject",
	"notBefore", "notAfter", "issuedAt", "revokedAt", "revocationReason", "templateArn"}

func (a *auditRecord) csv() []string {
	return []string{a.AwsAccountId, a.RequestedByServicePrincipal, a.CertificateArn, a.Serial, a.Subject,
		a.NotBefore, a.NotAfter, a.IssuedAt, a.RevokedAt, a.RevocationReason, a.TemplateArn}
}

// auditTime is AWS's report time format ("2020-02-26T18:39:57+0000").
func auditTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05-0700")
}

// colonHex writes a hex serial as AWS reports show it: "e8:cb:d2:…".
func colonHex(h string) string {
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i:min(i+2, len(h))])
	}
	return b.String()
}

// servicePrincipalOf names the AWS service behind a requester: ACM acting
// through its service-linked role, or a service principal itself.
func servicePrincipalOf(principal string) string {
	switch {
	case !strings.HasPrefix(principal, "arn:"):
		return principal
	case strings.Contains(principal, ":role/aws-service-role/acm.amazonaws.com/"),
		strings.Contains(principal, ":assumed-role/AWSServiceRoleForCertificateManager/"):
		return acmPrincipal
	}
	return ""
}

func (s *Service) auditRecord(ca *caRow, c *auditCert) *auditRecord {
	return &auditRecord{AwsAccountId: c.Account, RequestedByServicePrincipal: servicePrincipalOf(c.Principal),
		CertificateArn: certARN(ca.ARN, c.Serial), Serial: colonHex(c.Serial), Subject: c.Subject,
		NotBefore: auditTime(c.NotBefore), NotAfter: auditTime(c.NotAfter), IssuedAt: auditTime(c.IssuedAt),
		RevokedAt: auditTime(c.RevokedAt), RevocationReason: c.Reason, TemplateArn: c.TemplateARN}
}

// writeAuditReport writes the report file atomically.
func (s *Service) writeAuditReport(ctx context.Context, ca *caRow, r *auditRow) error {
	full := s.auditPath(r)
	if err := os.MkdirAll(filepath.Dir(full), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(full), ".report-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	if err := s.encodeAudit(ctx, ca, r.Format, w); err != nil {
		tmp.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), full)
}

func (s *Service) encodeAudit(ctx context.Context, ca *caRow, format string, w *bufio.Writer) error {
	if format == "CSV" {
		cw := csv.NewWriter(w)
		if err := cw.Write(auditCSVHeader); err != nil {
			return err
		}
		if err := s.eachAuditCert(ctx, ca.ID, func(c *auditCert) error { return cw.Write(s.auditRecord(ca, c).csv()) }); err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	}
	w.WriteString("[")
	first := true
	err := s.eachAuditCert(ctx, ca.ID, func(c *auditCert) error {
		b, err := json.Marshal(s.auditRecord(ca, c))
		if err != nil {
			return err
		}
		if !first {
			w.WriteString(",")
		}
		first = false
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	_, err = w.WriteString("]")
	return err
}
