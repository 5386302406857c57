package iam

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"encoding/pem"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/store"
)

const maxSigningCertsPerUser = 2

// SigningCertificate is the IAM API's SigningCertificate shape.
type SigningCertificate struct {
	UserName        string
	CertificateId   string
	CertificateBody string
	Status          string
	UploadDate      time.Time
}

type UploadSigningCertificateInput struct {
	UserName        string `min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	CertificateBody string `required:"true" min:"1" max:"16384" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
}

type UploadSigningCertificateOutput struct {
	Certificate SigningCertificate
}

// parseSigningCert reads exactly one PEM X.509 certificate.
func parseSigningCert(body string) (*x509.Certificate, error) {
	block, rest := pem.Decode([]byte(body))
	if block == nil || block.Type != "CERTIFICATE" || len(bytes.TrimSpace(rest)) != 0 {
		return nil, errorf(MalformedCertificate, "Certificate %s is malformed.", body)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, errorf(MalformedCertificate, "Certificate %s is malformed.", body)
	}
	return cert, nil
}

// UploadSigningCertificate stores an X.509 certificate for a user (or the
// caller, the root included); two per user, each once per account.
func (s *Service) UploadSigningCertificate(ctx context.Context, c *authz.Caller, in *UploadSigningCertificateInput) (*UploadSigningCertificateOutput, error) {
	t, err := s.selfOrUser(ctx, c, in.UserName, "iam:UploadSigningCertificate")
	if err != nil {
		return nil, err
	}
	cert, err := parseSigningCert(in.CertificateBody)
	if err != nil {
		return nil, err
	}
	now := s.clk.Now()
	if now.After(cert.NotAfter) {
		return nil, errorf(MalformedCertificate, "Certificate is expired.")
	}
	sum := sha256.Sum256(cert.Raw)
	userID, userName := targetUser(t)
	row := &signingCertRow{
		ID: randomChars(32, base32Alphabet), AccountID: c.AccountID, UserID: userID, Body: in.CertificateBody,
		Digest: hex.EncodeToString(sum[:]), Status: statusActive, UploadedAt: now,
	}
	duplicate := errorf(DuplicateCertificate, "The same certificate is already associated with an IAM user in the account.")
	err = s.st.tx(ctx, func(tx *sql.Tx) error {
		if used, err := s.st.signingDigestUsed(ctx, tx, c.AccountID, row.Digest); err != nil {
			return err
		} else if used {
			return duplicate
		}
		if n, err := s.st.countSigningCerts(ctx, tx, c.AccountID, userID); err != nil {
			return err
		} else if n >= maxSigningCertsPerUser {
			return errorf(LimitExceeded, "Cannot exceed quota for CertificatesPerUser: %d", maxSigningCertsPerUser)
		}
		if err := s.st.insertSigningCert(ctx, tx, row); err != nil {
			if store.IsUniqueViolation(err) {
				return duplicate
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &UploadSigningCertificateOutput{Certificate: signingCertShape(userName, row)}, nil
}

type ListSigningCertificatesInput struct {
	UserName string `min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	Marker   string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems *int   `min:"1" max:"1000"`
}

type ListSigningCertificatesOutput struct {
	Certificates []SigningCertificate
	IsTruncated  bool
	Marker       string
}

// ListSigningCertificates lists a user's (or the caller's) certificates.
func (s *Service) ListSigningCertificates(ctx context.Context, c *authz.Caller, in *ListSigningCertificatesInput) (*ListSigningCertificatesOutput, error) {
	t, err := s.selfOrUser(ctx, c, in.UserName, "iam:ListSigningCertificates")
	if err != nil {
		return nil, err
	}
	userID, userName := targetUser(t)
	certs, err := s.st.listSigningCerts(ctx, s.st.db, c.AccountID, userID)
	if err != nil {
		return nil, err
	}
	page, marker, trunc, err := paginateAs(certs, func(r *signingCertRow) string { return r.ID },
		func(r *signingCertRow) SigningCertificate { return signingCertShape(userName, r) },
		scopeOf(c, "ListSigningCertificates", userID), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListSigningCertificatesOutput{Certificates: page, IsTruncated: trunc, Marker: marker}, nil
}

type UpdateSigningCertificateInput struct {
	UserName      string `min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	CertificateId string `required:"true" min:"24" max:"128" pattern:"[\\w]+"`
	Status        string `required:"true" enum:"Active,Inactive,Expired"`
}

// UpdateSigningCertificate activates or deactivates a certificate.
func (s *Service) UpdateSigningCertificate(ctx context.Context, c *authz.Caller, in *UpdateSigningCertificateInput) (*Empty, error) {
	r, err := s.ownedSigningCert(ctx, c, in.UserName, in.CertificateId, "iam:UpdateSigningCertificate")
	if err != nil {
		return nil, err
	}
	if err := checkStatus(in.Status); err != nil {
		return nil, err
	}
	if err := s.st.setSigningCertStatus(ctx, s.st.db, r.ID, in.Status); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

type DeleteSigningCertificateInput struct {
	UserName      string `min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	CertificateId string `required:"true" min:"24" max:"128" pattern:"[\\w]+"`
}

// DeleteSigningCertificate deletes a certificate.
func (s *Service) DeleteSigningCertificate(ctx context.Context, c *authz.Caller, in *DeleteSigningCertificateInput) (*Empty, error) {
	r, err := s.ownedSigningCert(ctx, c, in.UserName, in.CertificateId, "iam:DeleteSigningCertificate")
	if err != nil {
		return nil, err
	}
	if err := s.st.deleteSigningCert(ctx, s.st.db, r.ID); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

func (s *Service) ownedSigningCert(ctx context.Context, c *authz.Caller, userName, id, action string) (*signingCertRow, error) {
	t, err := s.selfOrUser(ctx, c, userName, action)
	if err != nil {
		return nil, err
	}
	userID, _ := targetUser(t)
	r, err := s.st.signingCert(ctx, s.st.db, c.AccountID, userID, id)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, errorf(NoSuchEntity, "The Certificate with id %s cannot be found.", id)
	}
	return r, nil
}

// targetUser is the ID and name of a selfOrUser target ("" for the root).
func targetUser(t *target) (id, name string) {
	if t == nil {
		return "", ""
	}
	return t.id, t.name
}

func signingCertShape(userName string, r *signingCertRow) SigningCertificate {
	return SigningCertificate{UserName: userName, CertificateId: r.ID, CertificateBody: r.Body, Status: r.Status, UploadDate: r.UploadedAt}
}
