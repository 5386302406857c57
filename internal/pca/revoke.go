package pca

import (
	"context"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/pki"
)

// RevokeCertificateInput is RevokeCertificate's input.
type RevokeCertificateInput struct {
	CertificateAuthorityArn string `required:"true" min:"5" max:"200" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	CertificateSerial       string `required:"true" max:"128"`
	RevocationReason        string `required:"true" enum:"UNSPECIFIED,KEY_COMPROMISE,CERTIFICATE_AUTHORITY_COMPROMISE,AFFILIATION_CHANGED,SUPERSEDED,CESSATION_OF_OPERATION,PRIVILEGE_WITHDRAWN,A_A_COMPROMISE"`
}

// revocation is the service's revocation machinery: prepared queries, the
// CRL publisher and the OCSP caches (crl.go, ocsp.go), and the audit
// report workers (audit.go).
type revocation struct {
	s     *Service
	stmts *revStmts

	// CRL publication.
	crlMu    sync.Mutex
	dirty    map[string]bool // CAs with revocations not yet in a CRL
	kick     chan struct{}
	stop     chan struct{}
	done     chan struct{}
	genMu    sync.Mutex // one CRL generation at a time
	crlCache sync.Map   // CA id → *crlRecord
	holder   string     // this server's id in CRL leases (crl_lease.go)

	// OCSP.
	issuers    *issuerIndex
	respMu     sync.Mutex
	responders map[string]*responder
	ocspMu     sync.RWMutex
	ocspCache  map[string]*ocspEntry // key: ocspKey
	ocspGen    uint64                // revocations so far; under ocspMu
	// afterOCSPStatus, when set (tests only), runs between an OCSP
	// request's status read and its cache store.
	afterOCSPStatus func()

	// auditMu orders auditWG.Add against close's Wait: no report writer
	// starts once auditClosed is set.
	auditMu     sync.Mutex
	auditClosed bool
	auditWG     sync.WaitGroup
	closeOnce   sync.Once
}

func newRevocation(s *Service) (*revocation, error) {
	stmts, err := prepareRevocation(s.db.DB)
	if err != nil {
		return nil, err
	}
	r := &revocation{s: s, stmts: stmts, dirty: map[string]bool{}, kick: make(chan struct{}, 1),
		stop: make(chan struct{}), done: make(chan struct{}), issuers: newIssuerIndex(),
		responders: map[string]*responder{}, ocspCache: map[string]*ocspEntry{}, holder: uuid.NewString()}
	return r, nil // New starts loop once s.rev is set: loop reads it at once
}

// close stops the CRL scheduler and waits for running audit reports.
func (r *revocation) close() {
	r.closeOnce.Do(func() {
		close(r.stop)
		<-r.done
		r.auditMu.Lock()
		r.auditClosed = true
		r.auditMu.Unlock()
		r.auditWG.Wait()
		r.stmts.close()
	})
}

// RevokeCertificate revokes a certificate the CA issued. The CA must be
// ACTIVE or DISABLED. The serial is hex, upper or lower case, with or
// without colons. A second revocation answers
// RequestAlreadyProcessedException; a serial the CA never issued
// ResourceNotFoundException; the CA's own (self-signed) certificate and
// expired certificates InvalidRequestException. The OCSP responder sees
// the revocation at once; the CRL is regenerated within CRLDebounce.
func (s *Service) RevokeCertificate(ctx context.Context, caller *authz.Caller, in *RevokeCertificateInput) (*Empty, error) {
	ca, err := s.findCA(ctx, caller, "RevokeCertificate", in.CertificateAuthorityArn)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, caller, "RevokeCertificate", ca, nil); err != nil {
		return nil, err
	}
	reason := pki.RevocationReason(in.RevocationReason)
	if _, ok := reason.ReasonCode(); !ok {
		return nil, errf(ErrInvalidRequest, "The revocation reason %s is not valid.", in.RevocationReason)
	}
	now := s.clk.Now()
	if st := ca.effectiveStatus(now); st != statusActive && st != statusDisabled {
		return nil, wrongState(ca.ARN, "revoke certificates")
	}
	n, err := pki.ParseSerial(in.CertificateSerial)
	if err != nil {
		return nil, errf(ErrInvalidRequest, "The certificate serial %s is not a valid hexadecimal serial number.", in.CertificateSerial)
	}
	serial := pki.SerialHex(n)
	cs, err := s.certStatus(ctx, ca.ID, serial)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return nil, errf(ErrNotFound, "Could not find certificate with serial %s issued by %s.", in.CertificateSerial, ca.ARN)
	}
	if serial == ca.Serial || strings.Contains(cs.TemplateARN, ":template/RootCACertificate") {
		return nil, errf(ErrInvalidRequest, "Self-signed certificate can not be revoked.") // AWS's text; clients match it
	}
	if cs.Revoked() {
		return nil, errf(ErrAlreadyProcessed, "The certificate with serial %s has already been revoked.", in.CertificateSerial)
	}
	if !now.Before(cs.NotAfter) {
		return nil, errf(ErrInvalidRequest, "The certificate with serial %s has expired and cannot be revoked.", in.CertificateSerial)
	}
	changed, err := s.revokeCert(ctx, ca.ID, serial, now, string(reason), caller.ARN)
	if err != nil {
		return nil, err
	}
	if !changed { // a concurrent revocation won
		return nil, errf(ErrAlreadyProcessed, "The certificate with serial %s has already been revoked.", in.CertificateSerial)
	}
	s.rev.revoked(ca.ID, serial)
	return &Empty{}, nil
}

// revoked makes a revocation visible: the OCSP answers cached for the
// serial go, and the CA's CRL is scheduled for regeneration.
func (r *revocation) revoked(caID, serial string) {
	r.dropOCSP(caID, serial)
	r.markDirty(caID)
}

// startAudit reserves a place for a report writer; false once closing.
// The caller calls auditWG.Done when the writer ends (or never starts).
func (r *revocation) startAudit() bool {
	r.auditMu.Lock()
	defer r.auditMu.Unlock()
	if r.auditClosed {
		return false
	}
	r.auditWG.Add(1)
	return true
}
