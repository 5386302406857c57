package pca

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/google/uuid"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/pki"
)

// CreateCertificateAuthority creates a CA and answers at once with it in
// CREATING, as AWS does; a keygen worker then generates the key and CSR
// and moves it to PENDING_CERTIFICATE (or FAILED). Clients wait with the
// CertificateAuthorityCSRCreated waiter. The same caller account and
// IdempotencyToken within 5 minutes return the earlier CA's ARN.
func (s *Service) CreateCertificateAuthority(ctx context.Context, caller *authz.Caller, in *CreateCertificateAuthorityInput) (*CreateCertificateAuthorityOutput, error) {
	tags, reqCtx, err := tagContext(in.Tags)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, caller, "CreateCertificateAuthority", nil, reqCtx); err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		if err := s.authorize(ctx, caller, "TagCertificateAuthority", nil, reqCtx); err != nil {
			return nil, err
		}
	}
	cfg := in.CertificateAuthorityConfiguration
	if cfg == nil || cfg.Subject == nil {
		return nil, errf(ErrInvalidArgs, "CertificateAuthorityConfiguration with a Subject is required.")
	}
	alg := pki.KeyAlgorithm(cfg.KeyAlgorithm)
	if err := pki.CheckSigningAlgorithm(alg, pki.SigningAlgorithm(cfg.SigningAlgorithm)); err != nil {
		return nil, fromPKI(err)
	}
	subj := cfg.Subject.pki()
	if subj.IsEmpty() {
		return nil, errf(ErrInvalidArgs, "The certificate authority subject must contain at least one attribute.")
	}
	if _, err := subj.Marshal(); err != nil {
		return nil, fromPKI(err)
	}
	if !supportedKey(alg) {
		return nil, errf(ErrInvalidArgs, "The key algorithm %s is not supported by this server.", alg)
	}
	if err := validateRevocation(in.RevocationConfiguration); err != nil {
		return nil, err
	}

	now := s.clk.Now()
	region := s.regionOf(caller)
	if in.IdempotencyToken != "" {
		defer s.lockIdem("ca\x00" + caller.AccountID + "\x00" + region + "\x00" + in.IdempotencyToken)()
		arn, err := s.caByToken(ctx, caller.AccountID, region, in.IdempotencyToken, now.Add(-idempotencyWindow))
		if err != nil {
			return nil, err
		}
		if arn != "" {
			return &CreateCertificateAuthorityOutput{CertificateAuthorityArn: arn}, nil
		}
	}

	id := uuid.NewString()
	row := &caRow{
		ID: id, ARN: caARN(region, caller.AccountID, id), Region: region, Owner: caller.AccountID, Type: in.CertificateAuthorityType,
		Status: statusCreating, Config: *cfg, Revocation: in.RevocationConfiguration,
		KeyStorage: defaultStr(in.KeyStorageSecurityStandard, "FIPS_140_2_LEVEL_3_OR_HIGHER"),
		UsageMode:  defaultStr(in.UsageMode, string(pki.UsageGeneralPurpose)),
		CreatedAt:  now, LastChange: now, Token: in.IdempotencyToken, CreatedBy: caller.ARN, Tags: tags,
	}
	existing, err := s.createCA(ctx, row, s.cfg.CAQuota, now)
	if err != nil {
		return nil, err
	}
	if existing != "" {
		return &CreateCertificateAuthorityOutput{CertificateAuthorityArn: existing}, nil
	}
	s.keygen.enqueue(row.ID)
	return &CreateCertificateAuthorityOutput{CertificateAuthorityArn: row.ARN}, nil
}

// generateCAKey is the CREATING phase, run by a keygen worker: key and
// CSR, then PENDING_CERTIFICATE (or FAILED when the key store fails).
func (s *Service) generateCAKey(ctx context.Context, row *caRow) error {
	fail := func(reason string, cause error) error {
		if err := s.failCreate(ctx, row.ID, reason, s.clk.Now()); err != nil {
			return err
		}
		_ = cause // the CA shows FAILED; the cause is not the caller's business
		return nil
	}
	key, err := s.keys.Generate(ctx, pki.KeyAlgorithm(row.Config.KeyAlgorithm))
	if err != nil {
		reason := "OTHER"
		if pki.KindOf(err) == pki.NotSupported {
			reason = "UNSUPPORTED_ALGORITHM"
		}
		return fail(reason, err)
	}
	signer, err := s.keys.Signer(ctx, key.Handle, key.Blob)
	if err != nil {
		_ = s.keys.Destroy(ctx, key.Handle, key.Blob)
		return fail("OTHER", err)
	}
	subj := row.Config.Subject.pki()
	csr, err := pki.CreateCACSR(signer, subj, row.Config.CsrExtensions, pki.SigningAlgorithm(row.Config.SigningAlgorithm))
	if err != nil {
		_ = s.keys.Destroy(ctx, key.Handle, key.Blob)
		return fail("OTHER", err)
	}
	err = s.finishCreate(ctx, row.ID, key.Handle, key.Blob, csr, s.clk.Now())
	if errors.Is(err, ErrConcurrentModify) {
		// Deleted while CREATING: no row holds the key, so nothing else
		// would ever destroy it.
		_ = s.keys.Destroy(ctx, key.Handle, key.Blob)
	}
	return err
}

func supportedKey(alg pki.KeyAlgorithm) bool {
	for _, a := range pki.KeyAlgorithms {
		if a == alg {
			return true
		}
	}
	return false
}

func defaultStr(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// DescribeCertificateAuthority returns a CA as the caller may see it.
func (s *Service) DescribeCertificateAuthority(ctx context.Context, caller *authz.Caller, in *DescribeCertificateAuthorityInput) (*DescribeCertificateAuthorityOutput, error) {
	ca, err := s.findCA(ctx, caller, "DescribeCertificateAuthority", in.CertificateAuthorityArn)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, caller, "DescribeCertificateAuthority", ca, nil); err != nil {
		return nil, err
	}
	v := s.view(ca)
	return &DescribeCertificateAuthorityOutput{CertificateAuthority: &v}, nil
}

// view renders a CA row as the CertificateAuthority shape.
func (s *Service) view(ca *caRow) CertificateAuthority {
	now := s.clk.Now()
	cfg := ca.Config
	rev := ca.Revocation
	if rev == nil {
		f := false
		rev = &RevocationConfiguration{CrlConfiguration: &CrlConfiguration{Enabled: &f}, OcspConfiguration: &OcspConfiguration{Enabled: &f}}
	}
	v := CertificateAuthority{
		Arn: ca.ARN, OwnerAccount: ca.Owner, CreatedAt: ca.CreatedAt, LastStateChangeAt: ca.LastChange,
		Type: ca.Type, Serial: ca.Serial, Status: ca.effectiveStatus(now), NotBefore: ca.NotBefore, NotAfter: ca.NotAfter,
		FailureReason: ca.FailureReason, CertificateAuthorityConfiguration: &cfg, RevocationConfiguration: rev,
		KeyStorageSecurityStandard: ca.KeyStorage, UsageMode: ca.UsageMode,
	}
	if ca.Status == statusDeleted {
		v.RestorableUntil = ca.RestorableUntil
	}
	return v
}

// ListCertificateAuthorities lists the caller account's CAs in the
// caller's region (restorable deleted ones included), at most 100 per
// page. OTHER_ACCOUNTS lists the CAs shared with the caller's account
// through RAM shares it accepted or received automatically; hand-written
// policies do not list a CA.
func (s *Service) ListCertificateAuthorities(ctx context.Context, caller *authz.Caller, in *ListCertificateAuthoritiesInput) (*ListCertificateAuthoritiesOutput, error) {
	if err := s.authorize(ctx, caller, "ListCertificateAuthorities", nil, nil); err != nil {
		return nil, err
	}
	owner := defaultStr(in.ResourceOwner, "SELF")
	region := s.regionOf(caller)
	scope := "list-cas\x00" + caller.AccountID + "\x00" + region + "\x00" + owner
	offset, err := s.parseToken(scope, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &ListCertificateAuthoritiesOutput{CertificateAuthorities: []CertificateAuthority{}}
	if owner == "OTHER_ACCOUNTS" {
		return s.listSharedCAs(ctx, caller, scope, offset, pageSize(in.MaxResults, 100), out)
	}
	limit := pageSize(in.MaxResults, 100)
	rows, err := s.listCAs(ctx, caller.AccountID, region, s.clk.Now(), offset, limit+1)
	if err != nil {
		return nil, err
	}
	if len(rows) > limit {
		rows = rows[:limit]
		out.NextToken = s.makeToken(scope, offset+limit)
	}
	for _, r := range rows {
		out.CertificateAuthorities = append(out.CertificateAuthorities, s.view(r))
	}
	return out, nil
}

// UpdateCertificateAuthority switches ACTIVE ↔ DISABLED and replaces the
// revocation configuration when one is given.
func (s *Service) UpdateCertificateAuthority(ctx context.Context, caller *authz.Caller, in *UpdateCertificateAuthorityInput) (*Empty, error) {
	ca, err := s.findCAFresh(ctx, caller, "UpdateCertificateAuthority", in.CertificateAuthorityArn)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, caller, "UpdateCertificateAuthority", ca, nil); err != nil {
		return nil, err
	}
	if st := ca.effectiveStatus(s.clk.Now()); st != statusActive && st != statusDisabled {
		return nil, wrongState(ca.ARN, "be updated")
	}
	status := ca.Status
	switch in.Status {
	case "":
	case statusActive, statusDisabled:
		status = in.Status
	default:
		return nil, errf(ErrInvalidArgs, "The status %s cannot be set; only ACTIVE and DISABLED are allowed.", in.Status)
	}
	rev := ca.Revocation
	if in.RevocationConfiguration != nil {
		if err := validateRevocation(in.RevocationConfiguration); err != nil {
			return nil, err
		}
		rev = in.RevocationConfiguration
	}
	if err := s.updateCA(ctx, ca, status, rev, s.clk.Now()); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// DeleteCertificateAuthority deletes a CA that is not ACTIVE. CAs deleted
// from CREATING or FAILED are removed at once; the others become DELETED,
// restorable for PermanentDeletionTimeInDays (default 30).
func (s *Service) DeleteCertificateAuthority(ctx context.Context, caller *authz.Caller, in *DeleteCertificateAuthorityInput) (*Empty, error) {
	ca, err := s.findCAFresh(ctx, caller, "DeleteCertificateAuthority", in.CertificateAuthorityArn)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, caller, "DeleteCertificateAuthority", ca, nil); err != nil {
		return nil, err
	}
	now := s.clk.Now()
	switch ca.effectiveStatus(now) {
	case statusActive, statusDeleted:
		return nil, wrongState(ca.ARN, "be deleted")
	case statusCreating, statusFailed:
		if err := s.destroyKey(ctx, ca); err != nil {
			return nil, err
		}
		return &Empty{}, s.removeCA(ctx, ca.ID)
	}
	days := defaultDeletionDays
	if in.PermanentDeletionTimeInDays != nil {
		days = int(*in.PermanentDeletionTimeInDays)
		if days < 7 || days > 30 {
			return nil, errf(ErrInvalidArgs, "PermanentDeletionTimeInDays must be between 7 and 30.")
		}
	}
	if err := s.markDeleted(ctx, ca, now.AddDate(0, 0, days), now); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// RestoreCertificateAuthority brings a DELETED CA back to its prior status
// within its restoration window.
func (s *Service) RestoreCertificateAuthority(ctx context.Context, caller *authz.Caller, in *RestoreCertificateAuthorityInput) (*Empty, error) {
	ca, err := s.findCAFresh(ctx, caller, "RestoreCertificateAuthority", in.CertificateAuthorityArn)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, caller, "RestoreCertificateAuthority", ca, nil); err != nil {
		return nil, err
	}
	if ca.Status != statusDeleted {
		return nil, wrongState(ca.ARN, "be restored")
	}
	if err := s.restore(ctx, ca, s.clk.Now()); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// destroyKey makes the CA key unusable (the row's blob goes with the row).
func (s *Service) destroyKey(ctx context.Context, ca *caRow) error {
	if ca.KeyHandle == "" {
		return nil
	}
	return s.keys.Destroy(ctx, ca.KeyHandle, ca.KeyBlob)
}

// purgeCA permanently deletes a CA whose restoration window has passed.
// Best effort: a failure leaves the row, which reads as gone anyway.
func (s *Service) purgeCA(ctx context.Context, ca *caRow) {
	if s.destroyKey(ctx, ca) == nil {
		_ = s.removeCA(ctx, ca.ID)
	}
}

// validateRevocation applies §2.9: a disabled configuration carries only
// Enabled=false; custom CNAMEs carry no scheme.
func validateRevocation(rc *RevocationConfiguration) error {
	if rc == nil {
		return nil
	}
	if c := rc.CrlConfiguration; c != nil {
		if c.Enabled == nil {
			return errf(ErrInvalidArgs, "CrlConfiguration.Enabled is required.")
		}
		if !*c.Enabled && (c.ExpirationInDays != nil || c.CustomCname != "" || c.S3BucketName != "" || c.S3ObjectAcl != "" ||
			c.CrlDistributionPointExtensionConfiguration != nil || c.CrlType != "" || c.CustomPath != "") {
			return errf(ErrInvalidArgs, "A disabled CrlConfiguration may contain only Enabled=false.")
		}
		if hasScheme(c.CustomCname) {
			return errf(ErrInvalidArgs, "CustomCname must not include a protocol prefix such as http:// or https://.")
		}
		if c.CustomCname != "" && !validCNAME(c.CustomCname) {
			return errf(ErrInvalidArgs, "CustomCname %q is not a valid DNS name.", c.CustomCname)
		}
		if !validCustomPath(c.CustomPath) {
			return errf(ErrInvalidArgs, "CustomPath %q is not valid: use path segments of letters, digits, '.', '_', '~' and '-', without '.' or '..' segments.", c.CustomPath)
		}
	}
	if o := rc.OcspConfiguration; o != nil {
		if o.Enabled == nil {
			return errf(ErrInvalidArgs, "OcspConfiguration.Enabled is required.")
		}
		if !*o.Enabled && o.OcspCustomCname != "" {
			return errf(ErrInvalidArgs, "A disabled OcspConfiguration may contain only Enabled=false.")
		}
		if hasScheme(o.OcspCustomCname) {
			return errf(ErrInvalidArgs, "OcspCustomCname must not include a protocol prefix such as http:// or https://.")
		}
		if o.OcspCustomCname != "" && !validCNAME(o.OcspCustomCname) {
			return errf(ErrInvalidArgs, "OcspCustomCname %q is not a valid DNS name.", o.OcspCustomCname)
		}
	}
	return nil
}

// The CNAMEs and the path end up in certificate URLs and, for the path,
// in a file name under CRLDir: only plain DNS names and plain path
// segments are accepted (no '?', '#', spaces, percent-escapes or dot
// segments that would change what the URL or file names).
var (
	dnsLabel     = `[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?`
	dnsNameRE    = regexp.MustCompile(`^` + dnsLabel + `(?:\.` + dnsLabel + `)*$`)
	customPathRE = regexp.MustCompile(`^[A-Za-z0-9._~-]+(?:/[A-Za-z0-9._~-]+)*$`)
)

func validCNAME(s string) bool { return len(s) <= 253 && dnsNameRE.MatchString(s) }

// validCustomPath accepts "" and relative paths of plain segments; the
// leading and trailing slashes crlLocation trims are allowed.
func validCustomPath(p string) bool {
	p = strings.Trim(p, "/")
	if p == "" {
		return true
	}
	if !customPathRE.MatchString(p) {
		return false
	}
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

func hasScheme(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.Contains(l, "://")
}

// isDenied reports an authorization denial (tests).
func isDenied(err error) bool {
	var de *authz.DeniedError
	return errors.As(err, &de)
}
