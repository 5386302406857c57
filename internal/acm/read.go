package acm

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"slices"
	"strconv"
	"strings"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/store"
)

// hyphenated is KeyAlgorithm as DescribeCertificate and ListCertificates
// show it ("RSA-2048", "EC-prime256v1"); requests use the underscore form.
func hyphenated(alg string) string { return strings.Replace(alg, "_", "-", 1) }

var keyUsageNames = []struct {
	bit  x509.KeyUsage
	name string
}{
	{x509.KeyUsageDigitalSignature, "DIGITAL_SIGNATURE"}, {x509.KeyUsageContentCommitment, "NON_REPUDIATION"},
	{x509.KeyUsageKeyEncipherment, "KEY_ENCIPHERMENT"}, {x509.KeyUsageDataEncipherment, "DATA_ENCIPHERMENT"},
	{x509.KeyUsageKeyAgreement, "KEY_AGREEMENT"}, {x509.KeyUsageCertSign, "CERTIFICATE_SIGNING"},
	{x509.KeyUsageCRLSign, "CRL_SIGNING"}, {x509.KeyUsageEncipherOnly, "ENCIPHER_ONLY"},
	{x509.KeyUsageDecipherOnly, "DECIPHER_ONLY"},
}

var extKeyUsageNames = map[x509.ExtKeyUsage]ExtendedKeyUsage{
	x509.ExtKeyUsageServerAuth:      {"TLS_WEB_SERVER_AUTHENTICATION", "1.3.6.1.5.5.7.3.1"},
	x509.ExtKeyUsageClientAuth:      {"TLS_WEB_CLIENT_AUTHENTICATION", "1.3.6.1.5.5.7.3.2"},
	x509.ExtKeyUsageCodeSigning:     {"CODE_SIGNING", "1.3.6.1.5.5.7.3.3"},
	x509.ExtKeyUsageEmailProtection: {"EMAIL_PROTECTION", "1.3.6.1.5.5.7.3.4"},
	x509.ExtKeyUsageIPSECEndSystem:  {"IPSEC_END_SYSTEM", "1.3.6.1.5.5.7.3.5"},
	x509.ExtKeyUsageIPSECTunnel:     {"IPSEC_TUNNEL", "1.3.6.1.5.5.7.3.6"},
	x509.ExtKeyUsageIPSECUser:       {"IPSEC_USER", "1.3.6.1.5.5.7.3.7"},
	x509.ExtKeyUsageTimeStamping:    {"TIME_STAMPING", "1.3.6.1.5.5.7.3.8"},
	x509.ExtKeyUsageOCSPSigning:     {"OCSP_SIGNING", "1.3.6.1.5.5.7.3.9"},
	x509.ExtKeyUsageAny:             {"ANY", "2.5.29.37.0"},
}

var signatureNames = map[x509.SignatureAlgorithm]string{
	x509.SHA256WithRSA: "SHA256WITHRSA", x509.SHA384WithRSA: "SHA384WITHRSA", x509.SHA512WithRSA: "SHA512WITHRSA",
	x509.ECDSAWithSHA256: "SHA256WITHECDSA", x509.ECDSAWithSHA384: "SHA384WITHECDSA", x509.ECDSAWithSHA512: "SHA512WITHECDSA",
}

// usages lists a certificate's key usages and extended key usages.
func usages(cert *x509.Certificate) ([]KeyUsage, []ExtendedKeyUsage) {
	var ku []KeyUsage
	for _, k := range keyUsageNames {
		if cert.KeyUsage&k.bit != 0 {
			ku = append(ku, KeyUsage{Name: k.name})
		}
	}
	var eku []ExtendedKeyUsage
	for _, e := range cert.ExtKeyUsage {
		if n, ok := extKeyUsageNames[e]; ok {
			eku = append(eku, n)
		}
	}
	for _, oid := range cert.UnknownExtKeyUsage {
		eku = append(eku, ExtendedKeyUsage{Name: "CUSTOM", OID: oid.String()})
	}
	return ku, eku
}

// status is the status callers see: an issued certificate past NotAfter
// is EXPIRED.
func (s *Service) status(r *certRow) string {
	if r.Status == statusIssued && !r.NotAfter.IsZero() && !s.clk.Now().Before(r.NotAfter) {
		return statusExpired
	}
	return r.Status
}

// DescribeCertificate returns the certificate's detail.
func (s *Service) DescribeCertificate(ctx context.Context, c *authz.Caller, in *CertificateArnInput) (*DescribeCertificateOutput, error) {
	r, err := s.load(ctx, c, "DescribeCertificate", in.CertificateArn)
	if err != nil {
		return nil, err
	}
	return &DescribeCertificateOutput{Certificate: s.detail(r)}, nil
}

func (s *Service) detail(r *certRow) *CertificateDetail {
	st := s.status(r)
	d := &CertificateDetail{
		CertificateArn: r.ARN, DomainName: r.Domain, SubjectAlternativeNames: r.SANs,
		CreatedAt: r.CreatedAt, IssuedAt: r.IssuedAt, ImportedAt: r.ImportedAt, Status: st,
		RevokedAt: r.RevokedAt, RevocationReason: r.RevocationReason, NotBefore: r.NotBefore, NotAfter: r.NotAfter,
		KeyAlgorithm: hyphenated(r.KeyAlg), InUseBy: []string{}, FailureReason: r.FailureReason, Type: r.Type,
		CertificateAuthorityArn: r.CAArn, ManagedBy: r.ManagedBy, Options: &r.Options,
	}
	if r.Type == typePrivate {
		d.RenewalEligibility = r.renewalEligibility()
		vs := "SUCCESS"
		switch r.Status {
		case statusPending:
			vs = "PENDING_VALIDATION"
		case statusFailed:
			vs = "FAILED"
		}
		for _, n := range r.SANs {
			d.DomainValidationOptions = append(d.DomainValidationOptions, DomainValidation{DomainName: n, ValidationStatus: vs})
		}
		if r.RenewalStatus != "" {
			var dv []DomainValidation
			for _, n := range r.SANs {
				dv = append(dv, DomainValidation{DomainName: n, ValidationStatus: "SUCCESS"})
			}
			d.RenewalSummary = &RenewalSummary{RenewalStatus: r.RenewalStatus, RenewalStatusReason: r.RenewalReason,
				UpdatedAt: r.RenewalUpdatedAt, DomainValidationOptions: dv}
		}
	}
	if cert, err := x509.ParseCertificate(r.CertDER); err == nil {
		d.Serial = colonHex(cert.SerialNumber.Bytes())
		d.Subject, d.Issuer = cert.Subject.String(), cert.Issuer.String()
		d.SignatureAlgorithm = signatureNames[cert.SignatureAlgorithm]
		d.KeyUsages, d.ExtendedKeyUsages = usages(cert)
	}
	return d
}

// GetCertificate returns the certificate and its chain once issued.
func (s *Service) GetCertificate(ctx context.Context, c *authz.Caller, in *CertificateArnInput) (*GetCertificateOutput, error) {
	r, err := s.load(ctx, c, "GetCertificate", in.CertificateArn)
	if err != nil {
		return nil, err
	}
	if len(r.CertDER) == 0 {
		return nil, inProgress(r.ARN)
	}
	return &GetCertificateOutput{Certificate: certPEM(r.CertDER), CertificateChain: strings.TrimRight(r.ChainPEM, "\n")}, nil
}

// certPEM is PEM as ACM returns it: no newline after the END line.
func certPEM(der []byte) string {
	return strings.TrimRight(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), "\n")
}

// DeleteCertificate deletes the certificate and its key; the CA's copy is
// not revoked.
func (s *Service) DeleteCertificate(ctx context.Context, c *authz.Caller, in *CertificateArnInput) (*Empty, error) {
	r, err := s.load(ctx, c, "DeleteCertificate", in.CertificateArn)
	if err != nil {
		return nil, err
	}
	return &Empty{}, s.deleteCert(ctx, r.ID)
}

// defaultListPage is ListCertificates' page size when MaxItems is absent.
const defaultListPage = 1000

// ListCertificates lists the caller's certificates in the region. Without
// Includes.keyTypes only RSA_1024 and RSA_2048 certificates are listed, as
// AWS does.
func (s *Service) ListCertificates(ctx context.Context, c *authz.Caller, in *ListCertificatesInput) (*ListCertificatesOutput, error) {
	if err := s.authorize(ctx, c, "ListCertificates", nil, nil); err != nil {
		return nil, err
	}
	if (in.SortBy == "") != (in.SortOrder == "") {
		return nil, errf(ErrValidation, "SortBy and SortOrder must be specified together.")
	}
	keyTypes := []string{"RSA_1024", "RSA_2048"}
	var f Filters
	if in.Includes != nil {
		f = *in.Includes
		if len(f.KeyTypes) > 0 {
			keyTypes = f.KeyTypes
		}
	}
	q := listQuery{account: c.AccountID, region: callerRegion(c, "us-east-1"), keyTypes: keyTypes,
		statuses: in.CertificateStatuses, managedBy: f.ManagedBy, now: s.clk.Now(), desc: in.SortOrder == "DESCENDING"}
	if in.NextToken != "" {
		at, id, ok := parseListToken(in.NextToken)
		if !ok {
			return nil, errf(ErrInvalidArgs, "The NextToken is not valid.")
		}
		q.afterAt, q.afterID = at, id
	}
	// Without MaxItems AWS answers pages of at most 1,000 (the CLI's page
	// size); answering everything made the call linear in the account's
	// certificates.
	limit := defaultListPage
	if in.MaxItems != nil {
		limit = int(*in.MaxItems)
	}
	// Columns are filtered in SQL; the export option (in options_json)
	// and the usages (in the certificate) here, so a page may take more
	// than one batch. One row past the page tells whether there is more.
	q.limit = max(limit+1, 100)
	usage := len(f.KeyUsage) > 0 || len(f.ExtendedKeyUsage) > 0
	var page []*certRow
	more := false
	for !more {
		rows, err := s.listPage(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			q.afterAt, q.afterID = store.Nanos(r.CreatedAt), r.ID
			if f.ExportOption != "" && f.ExportOption != r.Options.Export {
				continue
			}
			if len(in.CertificateStatuses) > 0 && !slices.Contains(in.CertificateStatuses, s.status(r)) {
				continue
			}
			if usage {
				if sum := s.summary(r); !containsAll(sum.KeyUsages, f.KeyUsage) || !containsAll(sum.ExtendedKeyUsages, f.ExtendedKeyUsage) {
					continue
				}
			}
			if limit >= 0 && len(page) == limit {
				more = true
				break
			}
			page = append(page, r)
		}
		if len(rows) < q.limit {
			break
		}
	}
	out := &ListCertificatesOutput{CertificateSummaryList: make([]CertificateSummary, 0, len(page))}
	for _, r := range page {
		out.CertificateSummaryList = append(out.CertificateSummaryList, s.summary(r))
	}
	if more && len(page) > 0 {
		last := page[len(page)-1]
		out.NextToken = listToken(store.Nanos(last.CreatedAt), last.ID)
	}
	return out, nil
}

// listToken is the keyset cursor of ListCertificates: the (created_at, id)
// of the last certificate answered.
func listToken(at int64, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("acm1:" + strconv.FormatInt(at, 10) + ":" + id))
}

func parseListToken(tok string) (int64, string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, "", false
	}
	rest, ok := strings.CutPrefix(string(b), "acm1:")
	if !ok {
		return 0, "", false
	}
	ns, id, ok := strings.Cut(rest, ":")
	at, err := strconv.ParseInt(ns, 10, 64)
	if !ok || err != nil || id == "" {
		return 0, "", false
	}
	return at, id, true
}

// containsAll reports whether have holds every wanted value ("ANY" and
// "NONE" in a filter match everything).
func containsAll(have, want []string) bool {
	for _, w := range want {
		if w == "ANY" || w == "NONE" {
			continue
		}
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

func (s *Service) summary(r *certRow) CertificateSummary {
	d := s.detail(r)
	sum := CertificateSummary{
		CertificateArn: r.ARN, DomainName: r.Domain, SubjectAlternativeNameSummaries: r.SANs,
		Status: d.Status, Type: r.Type, KeyAlgorithm: d.KeyAlgorithm, ExportOption: r.Options.Export,
		Exported: r.Exported, RenewalEligibility: d.RenewalEligibility, NotBefore: r.NotBefore, NotAfter: r.NotAfter,
		CreatedAt: r.CreatedAt, IssuedAt: r.IssuedAt, ImportedAt: r.ImportedAt, RevokedAt: r.RevokedAt, ManagedBy: r.ManagedBy,
	}
	for _, k := range d.KeyUsages {
		sum.KeyUsages = append(sum.KeyUsages, k.Name)
	}
	for _, e := range d.ExtendedKeyUsages {
		sum.ExtendedKeyUsages = append(sum.ExtendedKeyUsages, e.Name)
	}
	return sum
}
