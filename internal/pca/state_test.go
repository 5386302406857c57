package pca

import (
	"testing"
	"time"

	"github.com/openpca/openpca/internal/pki"
)

// stateSetups build one P-256 root CA in each state.
var stateSetups = map[string]func(e *env) string{
	statusPending: func(e *env) string { return e.create("ROOT", pki.ECPrime256v1, "Pending") },
	statusActive:  func(e *env) string { return e.activeRoot(pki.ECPrime256v1, 10) },
	statusDisabled: func(e *env) string {
		arn := e.activeRoot(pki.ECPrime256v1, 10)
		e.mustUpdate(arn, statusDisabled)
		return arn
	},
	statusExpired: func(e *env) string {
		arn := e.create("ROOT", pki.ECPrime256v1, "Expiring")
		two := int64(2)
		c, err := e.issue(arn, e.csr(arn), pki.ECPrime256v1, tmplARN("RootCACertificate"), &Validity{Value: &two, Type: "DAYS"})
		if err != nil {
			e.t.Fatal(err)
		}
		e.importCert(arn, []byte(e.get(arn, c).Certificate), nil)
		e.clk.Advance(3 * 24 * time.Hour)
		return arn
	},
	statusDeleted: func(e *env) string {
		arn := e.activeRoot(pki.ECPrime256v1, 10)
		e.mustUpdate(arn, statusDisabled)
		if _, err := e.svc.DeleteCertificateAuthority(bg, rootCaller(acct), &DeleteCertificateAuthorityInput{CertificateAuthorityArn: arn}); err != nil {
			e.t.Fatal(err)
		}
		return arn
	},
}

func (e *env) mustUpdate(arn, status string) {
	e.t.Helper()
	if _, err := e.svc.UpdateCertificateAuthority(bg, rootCaller(acct), &UpdateCertificateAuthorityInput{CertificateAuthorityArn: arn, Status: status}); err != nil {
		e.t.Fatalf("update %s: %v", status, err)
	}
}

// importInput returns a certificate the CA could install: a fresh
// self-signed one where the state allows issuing it, else the stored one.
func (e *env) importInput(arn string) *ImportCertificateAuthorityCertificateInput {
	in := &ImportCertificateAuthorityCertificateInput{CertificateAuthorityArn: arn}
	ten := int64(10)
	csr, err := e.svc.GetCertificateAuthorityCsr(bg, rootCaller(acct), &GetCertificateAuthorityCsrInput{CertificateAuthorityArn: arn})
	if err != nil {
		in.Certificate = []byte("not reached: the state check comes first")
		return in
	}
	if c, err := e.issue(arn, []byte(csr.Csr), pki.ECPrime256v1, tmplARN("RootCACertificate"), &Validity{Value: &ten, Type: "YEARS"}); err == nil {
		in.Certificate = []byte(e.get(arn, c).Certificate)
		return in
	}
	_, _, id, _ := parseCAARN(arn)
	ca, err := e.svc.getCA(bg, id)
	if err != nil || ca == nil {
		e.t.Fatalf("load CA: %v", err)
	}
	in.Certificate = pki.EncodeCertPEM(ca.Cert)
	return in
}

func TestStateMatrix(t *testing.T) {
	ops := []struct {
		name string
		call func(e *env, arn string) error
		want map[string]error // by state; absent = success
	}{
		{"GetCertificateAuthorityCsr", func(e *env, arn string) error {
			_, err := e.svc.GetCertificateAuthorityCsr(bg, rootCaller(acct), &GetCertificateAuthorityCsrInput{CertificateAuthorityArn: arn})
			return err
		}, map[string]error{statusDeleted: ErrInvalidState}},
		{"GetCertificateAuthorityCertificate", func(e *env, arn string) error {
			_, err := e.svc.GetCertificateAuthorityCertificate(bg, rootCaller(acct), &GetCertificateAuthorityCertificateInput{CertificateAuthorityArn: arn})
			return err
		}, map[string]error{statusPending: ErrInvalidState, statusDeleted: ErrInvalidState}},
		{"IssueCertificate", func(e *env, arn string) error {
			_, err := e.issue(arn, leafCSR(e.t, "leaf.example.com"), pki.ECPrime256v1, "", days(1))
			return err
		}, map[string]error{statusPending: ErrInvalidState, statusDisabled: ErrInvalidState, statusExpired: ErrInvalidState, statusDeleted: ErrInvalidState}},
		{"UpdateCertificateAuthority", func(e *env, arn string) error {
			_, err := e.svc.UpdateCertificateAuthority(bg, rootCaller(acct), &UpdateCertificateAuthorityInput{CertificateAuthorityArn: arn})
			return err
		}, map[string]error{statusPending: ErrInvalidState, statusExpired: ErrInvalidState, statusDeleted: ErrInvalidState}},
		{"DeleteCertificateAuthority", func(e *env, arn string) error {
			_, err := e.svc.DeleteCertificateAuthority(bg, rootCaller(acct), &DeleteCertificateAuthorityInput{CertificateAuthorityArn: arn})
			return err
		}, map[string]error{statusActive: ErrInvalidState, statusDeleted: ErrInvalidState}},
		{"RestoreCertificateAuthority", func(e *env, arn string) error {
			_, err := e.svc.RestoreCertificateAuthority(bg, rootCaller(acct), &RestoreCertificateAuthorityInput{CertificateAuthorityArn: arn})
			return err
		}, map[string]error{statusPending: ErrInvalidState, statusActive: ErrInvalidState, statusDisabled: ErrInvalidState, statusExpired: ErrInvalidState}},
		{"TagCertificateAuthority", func(e *env, arn string) error {
			v := "x"
			_, err := e.svc.TagCertificateAuthority(bg, rootCaller(acct), &TagCertificateAuthorityInput{CertificateAuthorityArn: arn, Tags: []Tag{{Key: "k", Value: &v}}})
			return err
		}, map[string]error{statusDeleted: ErrInvalidState}},
		{"ImportCertificateAuthorityCertificate", func(e *env, arn string) error {
			_, err := e.svc.ImportCertificateAuthorityCertificate(bg, rootCaller(acct), e.importInput(arn))
			return err
		}, map[string]error{statusDisabled: ErrInvalidState, statusDeleted: ErrInvalidState}},
	}
	states := []string{statusPending, statusActive, statusDisabled, statusExpired, statusDeleted}
	for _, op := range ops {
		for _, st := range states {
			t.Run(op.name+"/"+st, func(t *testing.T) {
				e := newEnv(t, Config{})
				arn := stateSetups[st](e)
				if got := e.status(arn); got != st {
					t.Fatalf("setup gave %s, want %s", got, st)
				}
				before := e.certCount(arn)
				err := op.call(e, arn)
				wantKind(t, err, op.want[st])
				if err != nil && e.certCount(arn) != before {
					t.Fatal("a refused call stored a certificate")
				}
			})
		}
	}
}

func TestDeleteRestoreWindow(t *testing.T) {
	e := newEnv(t, Config{})
	arn := e.create("ROOT", pki.ECPrime256v1, "Pending")
	seven := int32(7)
	if _, err := e.svc.DeleteCertificateAuthority(bg, rootCaller(acct), &DeleteCertificateAuthorityInput{CertificateAuthorityArn: arn, PermanentDeletionTimeInDays: &seven}); err != nil {
		t.Fatal(err)
	}
	d, err := e.svc.DescribeCertificateAuthority(bg, rootCaller(acct), &DescribeCertificateAuthorityInput{CertificateAuthorityArn: arn})
	if err != nil || d.CertificateAuthority.Status != statusDeleted || !d.CertificateAuthority.RestorableUntil.Equal(testNow.AddDate(0, 0, 7)) {
		t.Fatalf("deleted CA %+v %v", d, err)
	}
	if _, err := e.svc.RestoreCertificateAuthority(bg, rootCaller(acct), &RestoreCertificateAuthorityInput{CertificateAuthorityArn: arn}); err != nil {
		t.Fatal(err)
	}
	if st := e.status(arn); st != statusPending {
		t.Fatalf("restored to %s, want PENDING_CERTIFICATE", st)
	}
	if _, err := e.svc.DeleteCertificateAuthority(bg, rootCaller(acct), &DeleteCertificateAuthorityInput{CertificateAuthorityArn: arn, PermanentDeletionTimeInDays: &seven}); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(7 * 24 * time.Hour)
	_, err = e.svc.RestoreCertificateAuthority(bg, rootCaller(acct), &RestoreCertificateAuthorityInput{CertificateAuthorityArn: arn})
	wantKind(t, err, ErrNotFound)
	list, err := e.svc.ListCertificateAuthorities(bg, rootCaller(acct), &ListCertificateAuthoritiesInput{})
	if err != nil || len(list.CertificateAuthorities) != 0 {
		t.Fatalf("permanently deleted CA still listed: %+v %v", list, err)
	}
}
