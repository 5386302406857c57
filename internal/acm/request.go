package acm

import (
	"context"
	"database/sql"
	"regexp"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/openpca/openpca/internal/authz"
)

const (
	statusPending = "PENDING_VALIDATION"
	statusIssued  = "ISSUED"
	statusFailed  = "FAILED"
	statusRevoked = "REVOKED"
	statusExpired = "EXPIRED"

	typePrivate  = "PRIVATE"
	typeImported = "IMPORTED"
)

// requestKeyAlgorithms are the key types RequestCertificate may ask for
// (the model's doc: RSA_2048, EC_prime256v1, EC_secp384r1).
var requestKeyAlgorithms = []string{"RSA_2048", "EC_prime256v1", "EC_secp384r1"}

// label is one DNS label (letters, digits, hyphens, not at either end).
var label = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

// validDomain checks a requested name: labels joined by dots, at least
// two, with an optional leading "*." wildcard, at most 253 characters.
func validDomain(name string) bool {
	if len(name) == 0 || len(name) > 253 {
		return false
	}
	name = strings.TrimPrefix(name, "*.")
	parts := strings.Split(name, ".")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if !label.MatchString(p) {
			return false
		}
	}
	return true
}

// parseCertARN splits arn:<partition>:acm:<region>:<account>:certificate/<id>.
func parseCertARN(arn string) (account, region string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "acm" || parts[3] == "" ||
		len(parts[4]) != 12 || !strings.HasPrefix(parts[5], "certificate/") {
		return "", "", false
	}
	if _, err := uuid.Parse(strings.TrimPrefix(parts[5], "certificate/")); err != nil {
		return "", "", false
	}
	return parts[4], parts[3], true
}

// caAccount returns the account of a CA ARN
// (arn:<partition>:acm-pca:<region>:<account>:certificate-authority/<id>).
func caAccount(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "acm-pca" || len(parts[4]) != 12 ||
		!strings.HasPrefix(parts[5], "certificate-authority/") {
		return "", false
	}
	return parts[4], true
}

func checkTags(tags []Tag) error {
	seen := map[string]bool{}
	for _, t := range tags {
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return errf(ErrInvalidTag, "Tag key %s uses the reserved prefix aws:.", t.Key)
		}
		if seen[t.Key] {
			return errf(ErrInvalidParameter, "Duplicate tag key %s.", t.Key)
		}
		seen[t.Key] = true
	}
	return nil
}

// RequestCertificate asks for a private certificate from a CA. It returns
// the new certificate's ARN at once; the certificate is issued by the
// worker (PENDING_VALIDATION → ISSUED, or FAILED with the reason). For a CA
// in another account it first makes sure ACM's service-linked role exists
// in the caller's account, creating it with the caller's own permissions;
// when that fails the request still proceeds and renewals will fail with
// SLR_NOT_FOUND until the caller's account creates the role.
func (s *Service) RequestCertificate(ctx context.Context, c *authz.Caller, in *RequestCertificateInput) (*CertificateArnOutput, error) {
	region := callerRegion(c, "us-east-1")
	alg := in.KeyAlgorithm
	if alg == "" {
		alg = "RSA_2048"
	}
	names := []string{in.DomainName}
	for _, n := range in.SubjectAlternativeNames {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	reqCtx := map[string][]string{
		"acm:DomainNames": names, "acm:KeyAlgorithm": {alg},
		"acm:CertificateAuthority": {in.CertificateAuthorityArn},
	}
	if in.ValidationMethod != "" {
		reqCtx["acm:ValidationMethod"] = []string{in.ValidationMethod}
	}
	addTagKeys(reqCtx, in.Tags)
	if err := s.authorize(ctx, c, "RequestCertificate", nil, reqCtx); err != nil {
		return nil, err
	}
	if in.CertificateAuthorityArn == "" {
		return nil, errf(ErrValidation, "OpenPCA issues private certificates only: CertificateAuthorityArn is required.")
	}
	caAcct, ok := caAccount(in.CertificateAuthorityArn)
	if !ok {
		return nil, errf(ErrInvalidArn, "String '%s' is not a valid ARN.", in.CertificateAuthorityArn)
	}
	if !slices.Contains(requestKeyAlgorithms, alg) {
		return nil, errf(ErrValidation, "Encryption Algorithm %s is not supported in %s region", alg, region)
	}
	for _, n := range names {
		if !validDomain(n) {
			return nil, errf(ErrInvalidParameter, "DomainName %s is not valid.", n)
		}
	}
	if len(names) > maxDomains {
		return nil, errf(ErrLimitExceeded, "Certificate has too many domains.")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	now := s.clk.Now()
	if in.IdempotencyToken != "" {
		arn, err := s.certByToken(ctx, c.AccountID, region, in.IdempotencyToken, now.Add(-idempotencyWindow))
		if err != nil || arn != "" {
			return &CertificateArnOutput{CertificateArn: arn}, err
		}
	}
	if caAcct != c.AccountID {
		s.ensureServiceLinkedRole(ctx, c, region)
	}
	opts := CertificateOptions{CertificateTransparencyLoggingPreference: "DISABLED", Export: "ENABLED"}
	if in.Options != nil && in.Options.CertificateTransparencyLoggingPreference != "" {
		opts.CertificateTransparencyLoggingPreference = in.Options.CertificateTransparencyLoggingPreference
	}
	requester := c.Principal
	r := &certRow{
		ID: uuid.NewString(), Region: region, Account: c.AccountID, Type: typePrivate,
		Domain: in.DomainName, SANs: names, KeyAlg: alg, CAArn: in.CertificateAuthorityArn,
		Status: statusPending, Options: opts, ManagedBy: in.ManagedBy, Requester: &requester,
		CreatedAt: now, NextAttemptAt: now, Token: in.IdempotencyToken,
	}
	r.ARN = s.certARN(c.AccountID, region)
	if err := s.db.Tx(ctx, func(tx *sql.Tx) error { return s.insertCert(ctx, tx, r, in.Tags) }); err != nil {
		return nil, err
	}
	s.wake()
	return &CertificateArnOutput{CertificateArn: r.ARN}, nil
}

// ensureServiceLinkedRole creates ACM's role in the caller's account when
// it is missing. A failure is logged, not returned: AWS lets the request
// proceed and renewal shows SLR_NOT_FOUND.
func (s *Service) ensureServiceLinkedRole(ctx context.Context, c *authz.Caller, region string) {
	p, err := s.roles.ServiceLinkedRole(ctx, c.AccountID, region)
	if err != nil || p != nil {
		return
	}
	if err := s.roles.CreateServiceLinkedRole(ctx, c); err != nil {
		s.cfg.Logger.Info("acm: service-linked role not created; renewals will fail until it exists",
			"account", c.AccountID, "reason", err.Error())
	}
}

func addTagKeys(reqCtx map[string][]string, tags []Tag) {
	if len(tags) == 0 {
		return
	}
	keys := make([]string, 0, len(tags))
	for _, t := range tags {
		keys = append(keys, t.Key)
		reqCtx["aws:RequestTag/"+t.Key] = []string{t.Value}
	}
	reqCtx["aws:TagKeys"] = keys
}
