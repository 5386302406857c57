package pca

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"strings"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/pki"
	"github.com/openpca/openpca/internal/regions"
)

// maxSerialAttempts bounds retries after serial collisions (2^-128 each).
const maxSerialAttempts = 4

// IssueCertificate signs a CSR with the CA's key under a template and
// answers the certificate ARN once the certificate is committed. The CA
// must be ACTIVE, except that a ROOT CA in PENDING_CERTIFICATE (or EXPIRED,
// to renew) may sign its own CSR with a RootCACertificate template (installing the root). The same
// caller account, CA and IdempotencyToken within 5 minutes return the
// earlier certificate's ARN.
func (s *Service) IssueCertificate(ctx context.Context, caller *authz.Caller, in *IssueCertificateInput) (*IssueCertificateOutput, error) {
	ca, err := s.findCA(ctx, caller, "IssueCertificate", in.CertificateAuthorityArn)
	if err != nil {
		return nil, err
	}
	var reqCtx map[string][]string
	if in.TemplateArn != "" {
		reqCtx = map[string][]string{"acm-pca:TemplateArn": {in.TemplateArn}}
	}
	if err := s.authorize(ctx, caller, "IssueCertificate", ca, reqCtx); err != nil {
		return nil, err
	}
	tmpl, tmplARN, err := lookupTemplate(regions.PartitionOf(ca.Region), in.TemplateArn)
	if err != nil {
		return nil, err
	}
	now := s.clk.Now()
	switch st := ca.effectiveStatus(now); {
	case st == statusActive:
	case (st == statusPending || st == statusExpired) && tmpl.Root && ca.Type == "ROOT":
		// Installing or renewing a root: its self-signed certificate.
	default:
		return nil, wrongState(ca.ARN, "issue certificates")
	}
	if tmpl.Root && ca.Type != "ROOT" {
		return nil, errf(ErrInvalidRequest, "The %s template can only be used by a ROOT certificate authority to sign its own certificate.", tmpl.Name)
	}

	if in.IdempotencyToken != "" {
		defer s.lockIdem("cert\x00" + ca.ID + "\x00" + caller.AccountID + "\x00" + in.IdempotencyToken)()
		serial, err := s.certByToken(ctx, ca.ID, caller.AccountID, in.IdempotencyToken, now.Add(-idempotencyWindow))
		if err != nil {
			return nil, err
		}
		if serial != "" {
			return &IssueCertificateOutput{CertificateArn: certARN(ca.ARN, serial)}, nil
		}
	}

	issuer, err := s.caCert(ca)
	if err != nil {
		return nil, err
	}
	signer, err := s.keys.Signer(ctx, ca.KeyHandle, ca.KeyBlob)
	if err != nil {
		return nil, &Error{Kind: ErrRequestFailed, Msg: "The certificate authority key is not available.", Err: err}
	}
	req := &pki.IssueRequest{
		CSR: in.Csr, Issuer: issuer, IssuerSigner: signer,
		SigningAlgorithm: pki.SigningAlgorithm(in.SigningAlgorithm), TemplateARN: tmpl.ARN(), // pki keys templates by their aws ARN
		Validity: in.Validity.pki(), APIPassthrough: in.ApiPassthrough, Now: now,
		UsageMode: pki.UsageMode(ca.UsageMode),
		// The CA's revocation configuration as it is now: changing it
		// later affects only certificates issued afterwards.
		CRLDistributionPoints: s.cdpURLs(ca), OCSPURLs: s.ocspURLs(ca),
	}
	if in.ValidityNotBefore != nil {
		nb := in.ValidityNotBefore.pki()
		req.ValidityNotBefore = &nb
	}
	for range maxSerialAttempts {
		s.batch.begin()
		row, err := sign(req, tmpl, issuer)
		if err != nil {
			s.batch.end()
			return nil, fromPKI(err)
		}
		row.CAID, row.IssuerPrincipal, row.IssuerAccount = ca.ID, caller.ARN, caller.AccountID
		row.TemplateARN, row.IssuedAt, row.Token = tmplARN, now, in.IdempotencyToken
		err = s.batch.commit(ctx, row)
		if err == errSerialTaken {
			continue // another certificate of this CA has the serial: draw again
		}
		var used *tokenUsedError
		if errors.As(err, &used) {
			return &IssueCertificateOutput{CertificateArn: certARN(ca.ARN, used.serial)}, nil
		}
		if err != nil {
			return nil, &Error{Kind: ErrRequestFailed, Msg: "The certificate could not be stored; please retry.", Err: err}
		}
		s.recent.add(ca.ID, row.Serial, row.DER) // clients fetch it next
		if s.cfg.Metrics != nil {
			s.cfg.Metrics.CertificateIssued(ca.ARN, tmplARN)
		}
		return &IssueCertificateOutput{CertificateArn: certARN(ca.ARN, row.Serial)}, nil
	}
	return nil, errf(ErrRequestFailed, "No unused serial number was found; please retry.")
}

// sign builds and signs one certificate (a fresh serial each call) and
// returns its row without the issuing context.
func sign(req *pki.IssueRequest, tmpl *pki.Template, issuer *x509.Certificate) (*certRow, error) {
	t, err := pki.Build(req)
	if err != nil {
		return nil, err
	}
	parent := issuer
	if tmpl.Root {
		parent = t
	}
	der, err := x509.CreateCertificate(rand.Reader, t, parent, t.PublicKey, req.IssuerSigner)
	if err != nil {
		return nil, &pki.Error{Kind: pki.Internal, Msg: "signing the certificate failed", Err: err}
	}
	return &certRow{Serial: pki.SerialHex(t.SerialNumber), Subject: subjectString(t.RawSubject),
		NotBefore: t.NotBefore, NotAfter: t.NotAfter, DER: der}, nil
}

func subjectString(raw []byte) string {
	var rdn pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &rdn); err != nil {
		return ""
	}
	var n pkix.Name
	n.FillFromRDNSequence(&rdn)
	return n.String()
}

func certARN(caARN, serial string) string { return caARN + "/certificate/" + serial }

// GetCertificate returns an issued certificate (PEM) and its chain: the
// issuing CA's certificate followed by that CA's own chain up to the root.
// Expired (and, later, revoked) certificates are returned too.
func (s *Service) GetCertificate(ctx context.Context, caller *authz.Caller, in *GetCertificateInput) (*GetCertificateOutput, error) {
	ca, err := s.findCA(ctx, caller, "GetCertificate", in.CertificateAuthorityArn)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, caller, "GetCertificate", ca, nil); err != nil {
		return nil, err
	}
	rest, ok := strings.CutPrefix(in.CertificateArn, ca.ARN+"/certificate/")
	if !ok {
		return nil, errf(ErrInvalidArn, "The certificate ARN %s does not belong to the certificate authority %s.", in.CertificateArn, ca.ARN)
	}
	n, err := pki.ParseSerial(rest)
	if err != nil {
		return nil, errf(ErrInvalidArn, "The certificate ARN %s is not valid.", in.CertificateArn)
	}
	if ca.Status == statusDeleted {
		return nil, wrongState(ca.ARN, "have issued certificates")
	}
	serial := pki.SerialHex(n)
	c := s.recent.get(ca.ID, serial)
	if c == nil {
		der, err := s.getCert(ctx, ca.ID, serial)
		if err != nil {
			return nil, err
		}
		if der == nil {
			return nil, errf(ErrNotFound, "Could not find certificate %s.", in.CertificateArn)
		}
		c = s.recent.add(ca.ID, serial, der)
	}
	c.render(ca.Type == "ROOT")
	out := &GetCertificateOutput{Certificate: c.pem}
	// A root's own self-signed certificate has no chain, as in AWS (and as
	// GetCertificateAuthorityCertificate says).
	if len(ca.Cert) > 0 && !(ca.Type == "ROOT" && (bytes.Equal(c.der, ca.Cert) || c.self)) {
		out.CertificateChain = ca.issuedChain
		if out.CertificateChain == "" { // a row not read by readCA
			out.CertificateChain = pemString(append(pki.EncodeCertPEM(ca.Cert), ca.Chain...))
		}
	}
	return out, nil
}
