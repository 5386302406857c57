package acm

import (
	"context"
	"crypto"
	"crypto/x509"
	"database/sql"
	"encoding/pem"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/youmark/pkcs8"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/pca"
	"github.com/openpca/openpca/internal/pki"
)

// exportOpts: PBES2 with PBKDF2 (HMAC-SHA256, 20-byte salt, 2048
// iterations) and AES-256-CBC, which `openssl pkcs8 -passin` reads.
var exportOpts = &pkcs8.Opts{
	Cipher:  pkcs8.AES256CBC,
	KDFOpts: pkcs8.PBKDF2Opts{SaltSize: 20, IterationCount: 2048, HMACHash: crypto.SHA256},
}

// ExportCertificate returns the certificate, its chain and its private key
// encrypted with the passphrase, and makes the certificate eligible for
// managed renewal.
func (s *Service) ExportCertificate(ctx context.Context, c *authz.Caller, in *ExportCertificateInput) (*ExportCertificateOutput, error) {
	r, err := s.load(ctx, c, "ExportCertificate", in.CertificateArn)
	if err != nil {
		return nil, err
	}
	for _, b := range in.Passphrase {
		if b > 0x7e || b < 0x20 || b == '#' || b == '$' || b == '%' {
			return nil, errf(ErrValidation, "The passphrase may contain any printable ASCII character except #, $, or %%.")
		}
	}
	if r.Status == statusPending {
		return nil, inProgress(r.ARN)
	}
	if r.Type != typePrivate || len(r.CertDER) == 0 || len(r.KeyBlob) == 0 {
		return nil, errf(ErrValidation, "Certificate ARN %s is not a private certificate and cannot be exported.", r.ARN)
	}
	p8, err := s.sealer.Open(r.KeyBlob, keyAD(r.ARN))
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKCS8PrivateKey(p8)
	if err != nil {
		return nil, err
	}
	enc, err := pkcs8.MarshalPrivateKey(key, in.Passphrase, exportOpts)
	if err != nil {
		return nil, err
	}
	if !r.Exported {
		r.Exported = true
		if r.RenewalStatus != renewalPending {
			r.NextAttemptAt = renewalDue(r.NotAfter)
		}
		if err := s.saveCert(ctx, s.db, r); err != nil {
			return nil, err
		}
	}
	keyPEM := strings.TrimRight(string(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: enc})), "\n")
	return &ExportCertificateOutput{Certificate: certPEM(r.CertDER), CertificateChain: strings.TrimRight(r.ChainPEM, "\n"),
		PrivateKey: keyPEM}, nil
}

// acmToPCAReason maps ACM's revocation reasons to Private CA's.
var acmToPCAReason = map[string]string{
	"UNSPECIFIED": "UNSPECIFIED", "KEY_COMPROMISE": "KEY_COMPROMISE", "CA_COMPROMISE": "CERTIFICATE_AUTHORITY_COMPROMISE",
	"AFFILIATION_CHANGED": "AFFILIATION_CHANGED", "SUPERCEDED": "SUPERSEDED", "SUPERSEDED": "SUPERSEDED",
	"CESSATION_OF_OPERATION": "CESSATION_OF_OPERATION", "PRIVILEGE_WITHDRAWN": "PRIVILEGE_WITHDRAWN",
	"A_A_COMPROMISE": "A_A_COMPROMISE",
}

// RevokeCertificate revokes a private certificate at its CA, on the
// caller's authority (acm-pca:RevokeCertificate on the CA), and marks it
// REVOKED.
func (s *Service) RevokeCertificate(ctx context.Context, c *authz.Caller, in *RevokeCertificateInput) (*CertificateArnOutput, error) {
	r, err := s.load(ctx, c, "RevokeCertificate", in.CertificateArn)
	if err != nil {
		return nil, err
	}
	reason, ok := acmToPCAReason[in.RevocationReason]
	if !ok {
		return nil, errf(ErrValidation, "Revocation reason %s is not supported for private certificates.", in.RevocationReason)
	}
	switch {
	case r.Status == statusPending:
		return nil, inProgress(r.ARN)
	case r.Status == statusRevoked:
		return nil, errf(ErrConflict, "Certificate %s is already revoked.", r.ARN)
	case r.Type != typePrivate || len(r.CertDER) == 0:
		return nil, errf(ErrValidation, "Certificate ARN %s is not an issued private certificate.", r.ARN)
	}
	cert, err := x509.ParseCertificate(r.CertDER)
	if err != nil {
		return nil, err
	}
	caller := *c
	if _, err := s.ca.RevokeCertificate(ctx, &caller, &pca.RevokeCertificateInput{
		CertificateAuthorityArn: r.CAArn, CertificateSerial: pki.SerialHex(cert.SerialNumber), RevocationReason: reason,
	}); err != nil {
		return nil, err
	}
	now := s.clk.Now()
	// A revoked certificate is never renewed.
	r.Status, r.RevokedAt, r.RevocationReason, r.NextAttemptAt = statusRevoked, now, in.RevocationReason, time.Time{}
	if err := s.saveCert(ctx, s.db, r); err != nil {
		return nil, err
	}
	return &CertificateArnOutput{CertificateArn: r.ARN}, nil
}

// AddTagsToCertificate adds or overwrites tags (at most 50 in all).
func (s *Service) AddTagsToCertificate(ctx context.Context, c *authz.Caller, in *TagsInput) (*Empty, error) {
	reqCtx := map[string][]string{}
	addTagKeys(reqCtx, in.Tags)
	r, err := s.loadWith(ctx, c, "AddTagsToCertificate", in.CertificateArn, reqCtx)
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	have, err := s.tags(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	keys := map[string]bool{}
	for _, t := range have {
		keys[t.Key] = true
	}
	for _, t := range in.Tags {
		keys[t.Key] = true
	}
	if len(keys) > 50 {
		return nil, errf(ErrTooManyTags, "the TagSet: '%d' contains too many Tags", len(keys))
	}
	return &Empty{}, s.addTags(ctx, r.ID, in.Tags)
}

// RemoveTagsFromCertificate removes tags by key (and value, when given).
func (s *Service) RemoveTagsFromCertificate(ctx context.Context, c *authz.Caller, in *TagsInput) (*Empty, error) {
	reqCtx := map[string][]string{}
	addTagKeys(reqCtx, in.Tags)
	r, err := s.loadWith(ctx, c, "RemoveTagsFromCertificate", in.CertificateArn, reqCtx)
	if err != nil {
		return nil, err
	}
	for _, t := range in.Tags {
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return nil, errf(ErrInvalidTag, "Tag key %s uses the reserved prefix aws:.", t.Key)
		}
	}
	return &Empty{}, s.removeTags(ctx, r.ID, in.Tags)
}

// ListTagsForCertificate lists the certificate's tags.
func (s *Service) ListTagsForCertificate(ctx context.Context, c *authz.Caller, in *CertificateArnInput) (*ListTagsForCertificateOutput, error) {
	r, err := s.load(ctx, c, "ListTagsForCertificate", in.CertificateArn)
	if err != nil {
		return nil, err
	}
	tags, err := s.tags(ctx, r.ID)
	if tags == nil {
		tags = []Tag{}
	}
	return &ListTagsForCertificateOutput{Tags: tags}, err
}

// UpdateCertificateOptions sets the transparency-logging preference (the
// only option that may change).
func (s *Service) UpdateCertificateOptions(ctx context.Context, c *authz.Caller, in *UpdateCertificateOptionsInput) (*Empty, error) {
	r, err := s.load(ctx, c, "UpdateCertificateOptions", in.CertificateArn)
	if err != nil {
		return nil, err
	}
	if in.Options.Export != "" && in.Options.Export != r.Options.Export {
		return nil, errf(ErrInvalidParameter, "The Export option cannot be changed after the certificate is requested.")
	}
	if p := in.Options.CertificateTransparencyLoggingPreference; p != "" {
		r.Options.CertificateTransparencyLoggingPreference = p
	}
	return &Empty{}, s.saveCert(ctx, s.db, r)
}

// GetAccountConfiguration returns the account's expiry-event setting.
func (s *Service) GetAccountConfiguration(ctx context.Context, c *authz.Caller, _ *Empty) (*GetAccountConfigurationOutput, error) {
	if err := s.authorize(ctx, c, "GetAccountConfiguration", nil, nil); err != nil {
		return nil, err
	}
	d, ok, err := s.daysBeforeExpiry(ctx, c.AccountID, callerRegion(c, "us-east-1"))
	if err != nil {
		return nil, err
	}
	if !ok {
		d = defaultDaysBeforeExpiry
	}
	return &GetAccountConfigurationOutput{ExpiryEvents: &ExpiryEventsConfiguration{DaysBeforeExpiry: &d}}, nil
}

// PutAccountConfiguration sets how many days before expiry ACM warns.
func (s *Service) PutAccountConfiguration(ctx context.Context, c *authz.Caller, in *PutAccountConfigurationInput) (*Empty, error) {
	if err := s.authorize(ctx, c, "PutAccountConfiguration", nil, nil); err != nil {
		return nil, err
	}
	if in.ExpiryEvents == nil || in.ExpiryEvents.DaysBeforeExpiry == nil {
		return &Empty{}, nil
	}
	return &Empty{}, s.putDaysBeforeExpiry(ctx, c.AccountID, callerRegion(c, "us-east-1"), *in.ExpiryEvents.DaysBeforeExpiry)
}

// ImportCertificate stores a certificate with its key (never renewed). A
// CertificateArn re-imports over an earlier imported certificate.
func (s *Service) ImportCertificate(ctx context.Context, c *authz.Caller, in *ImportCertificateInput) (*CertificateArnOutput, error) {
	reqCtx := map[string][]string{}
	addTagKeys(reqCtx, in.Tags)
	if err := s.authorize(ctx, c, "ImportCertificate", nil, reqCtx); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(in.Certificate)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, errf(ErrValidation, "Could not parse the certificate; it must be PEM encoded.")
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return nil, errf(ErrValidation, "Could not parse the certificate: %v", err)
	}
	kblk, _ := pem.Decode(in.PrivateKey)
	if kblk == nil {
		return nil, errf(ErrValidation, "Could not parse the private key; it must be PEM encoded and unencrypted.")
	}
	key, err := parsePrivateKey(kblk.Bytes)
	if err != nil {
		return nil, errf(ErrValidation, "Could not parse the private key; it must be PEM encoded and unencrypted.")
	}
	if pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(cert.PublicKey) {
		return nil, errf(ErrValidation, "The private key does not match the public key in the certificate.")
	}
	alg, err := pki.KeyAlgorithmOf(cert.PublicKey)
	if err != nil {
		return nil, errf(ErrValidation, "The certificate's key algorithm is not supported.")
	}
	region := callerRegion(c, "us-east-1")
	now := s.clk.Now()
	r := &certRow{ID: uuid.NewString(), Region: region, Account: c.AccountID, Type: typeImported,
		Domain: cert.Subject.CommonName, SANs: cert.DNSNames, KeyAlg: string(alg), Status: statusIssued,
		CertDER: blk.Bytes, ChainPEM: string(in.CertificateChain), NotBefore: cert.NotBefore, NotAfter: cert.NotAfter,
		CreatedAt: now, ImportedAt: now}
	if r.Domain == "" && len(r.SANs) > 0 {
		r.Domain = r.SANs[0]
	}
	if len(r.SANs) == 0 && r.Domain != "" {
		r.SANs = []string{r.Domain}
	}
	if in.CertificateArn != "" {
		old, err := s.load(ctx, c, "ImportCertificate", in.CertificateArn)
		if err != nil {
			return nil, err
		}
		if old.Type != typeImported {
			return nil, errf(ErrValidation, "Certificate %s was not imported and cannot be re-imported.", old.ARN)
		}
		r.ID, r.ARN, r.CreatedAt = old.ID, old.ARN, old.CreatedAt
	} else {
		r.ARN = s.certARN(c.AccountID, region)
	}
	p8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	if r.KeyBlob, err = s.sealer.Seal(p8, keyAD(r.ARN)); err != nil {
		return nil, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if in.CertificateArn != "" {
			return s.replaceImported(ctx, tx, r)
		}
		return s.insertCert(ctx, tx, r, in.Tags)
	})
	if err != nil {
		return nil, err
	}
	return &CertificateArnOutput{CertificateArn: r.ARN}, nil
}

// parsePrivateKey reads an unencrypted PKCS#8, PKCS#1 or SEC 1 key.
func parsePrivateKey(der []byte) (crypto.Signer, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		if sg, ok := k.(crypto.Signer); ok {
			return sg, nil
		}
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	return x509.ParseECPrivateKey(der)
}
