package pca

import (
	"strings"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/pki"
)

func TestRevokeCertificate(t *testing.T) {
	e := newEnv(t, Config{})
	ca := e.revRoot(nil)
	rootSerial := e.caCertOf(ca).SerialNumber
	fresh := func() string { a, _ := e.leaf(ca, "svc.example.com"); return serialOf(a) }
	revoked := fresh()
	if err := e.revoke(ca, revoked, "SUPERSEDED"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		serial func() string
		reason string
		want   error
	}{
		{"UNSPECIFIED", fresh, "UNSPECIFIED", nil},
		{"KEY_COMPROMISE", fresh, "KEY_COMPROMISE", nil},
		{"CERTIFICATE_AUTHORITY_COMPROMISE", fresh, "CERTIFICATE_AUTHORITY_COMPROMISE", nil},
		{"AFFILIATION_CHANGED", fresh, "AFFILIATION_CHANGED", nil},
		{"SUPERSEDED", fresh, "SUPERSEDED", nil},
		{"CESSATION_OF_OPERATION", fresh, "CESSATION_OF_OPERATION", nil},
		{"PRIVILEGE_WITHDRAWN", fresh, "PRIVILEGE_WITHDRAWN", nil},
		{"A_A_COMPROMISE", fresh, "A_A_COMPROMISE", nil},
		{"upper case with colons", func() string { return colons(fresh()) }, "KEY_COMPROMISE", nil},
		{"upper case", func() string { return strings.ToUpper(fresh()) }, "KEY_COMPROMISE", nil},
		{"leading zeros", func() string { return "0000" + fresh() }, "KEY_COMPROMISE", nil},
		{"second revocation", func() string { return revoked }, "KEY_COMPROMISE", ErrAlreadyProcessed},
		{"second revocation in colons", func() string { return colons(revoked) }, "UNSPECIFIED", ErrAlreadyProcessed},
		{"unknown serial", func() string { return "0123456789abcdef0123456789abcdef" }, "KEY_COMPROMISE", ErrNotFound},
		{"not hex", func() string { return "xyz" }, "KEY_COMPROMISE", ErrInvalidRequest},
		{"empty serial", func() string { return "" }, "KEY_COMPROMISE", ErrInvalidRequest},
		{"the root's own certificate", func() string { return pki.SerialHex(rootSerial) }, "KEY_COMPROMISE", ErrInvalidRequest},
		{"unknown reason", fresh, "REMOVE_FROM_CRL", ErrInvalidRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			serial := tc.serial()
			err := e.revoke(ca, serial, tc.reason)
			wantKind(t, err, tc.want)
			if tc.want != nil {
				return
			}
			n, _ := pki.ParseSerial(serial)
			cs, err := e.svc.certStatus(bg, caIDOf(ca), pki.SerialHex(n))
			if err != nil || cs == nil {
				t.Fatalf("status: %v %v", cs, err)
			}
			if !cs.RevokedAt.Equal(e.clk.Now()) || cs.Reason != tc.reason {
				t.Errorf("stored %v %q, want %v %q", cs.RevokedAt, cs.Reason, e.clk.Now(), tc.reason)
			}
			// GetCertificate still answers for revoked certificates.
			e.get(ca, ca+"/certificate/"+pki.SerialHex(n))
		})
	}
}

func TestRevokeCertificateStates(t *testing.T) {
	tests := []struct {
		name  string
		setUp func(e *env, ca, serial string) string // returns the serial to revoke
		want  error
	}{
		{"ACTIVE", func(e *env, ca, s string) string { return s }, nil},
		{"DISABLED", func(e *env, ca, s string) string {
			e.setStatus(ca, statusDisabled)
			return s
		}, nil},
		{"expired certificate", func(e *env, ca, s string) string {
			e.clk.Advance(31 * 24 * time.Hour)
			return s
		}, ErrInvalidRequest},
		{"EXPIRED CA", func(e *env, ca, s string) string {
			e.clk.Advance(11 * 365 * 24 * time.Hour)
			return s
		}, ErrInvalidState},
		{"DELETED CA", func(e *env, ca, s string) string {
			e.setStatus(ca, statusDisabled)
			if _, err := e.svc.DeleteCertificateAuthority(bg, rootCaller(acct), &DeleteCertificateAuthorityInput{CertificateAuthorityArn: ca}); err != nil {
				t.Fatal(err)
			}
			return s
		}, ErrInvalidState},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, Config{})
			ca := e.revRoot(nil)
			arn, _ := e.leaf(ca, "a.example.com")
			serial := tc.setUp(e, ca, serialOf(arn))
			wantKind(t, e.revoke(ca, serial, "KEY_COMPROMISE"), tc.want)
		})
	}
	t.Run("PENDING_CERTIFICATE", func(t *testing.T) {
		e := newEnv(t, Config{})
		ca := e.create("ROOT", pki.ECPrime256v1, "Pending")
		wantKind(t, e.revoke(ca, "01", "KEY_COMPROMISE"), ErrInvalidState)
	})
	t.Run("other account", func(t *testing.T) {
		e := newEnv(t, Config{})
		ca := e.revRoot(nil)
		arn, _ := e.leaf(ca, "a.example.com")
		_, err := e.svc.RevokeCertificate(bg, rootCaller("444455556666"), &RevokeCertificateInput{CertificateAuthorityArn: ca,
			CertificateSerial: serialOf(arn), RevocationReason: "KEY_COMPROMISE"})
		if !isDenied(err) {
			t.Fatalf("want denial, got %v", err)
		}
	})
}

func (e *env) setStatus(arn, status string) {
	e.t.Helper()
	if _, err := e.svc.UpdateCertificateAuthority(bg, rootCaller(acct), &UpdateCertificateAuthorityInput{CertificateAuthorityArn: arn, Status: status}); err != nil {
		e.t.Fatal(err)
	}
}

// TestRevocationConfigurationBadInput covers §2.9's validation as the
// issue lists it.
func TestRevocationConfigurationBadInput(t *testing.T) {
	e := newEnv(t, Config{})
	ca := e.revRoot(nil)
	tests := []struct {
		name string
		rc   *RevocationConfiguration
		want error
	}{
		{"disabled CRL with expiration", &RevocationConfiguration{CrlConfiguration: &CrlConfiguration{Enabled: boolp(false), ExpirationInDays: int32p(7)}}, ErrInvalidArgs},
		{"disabled CRL with CNAME", &RevocationConfiguration{CrlConfiguration: &CrlConfiguration{Enabled: boolp(false), CustomCname: "crl.example.com"}}, ErrInvalidArgs},
		{"disabled OCSP with CNAME", &RevocationConfiguration{OcspConfiguration: &OcspConfiguration{Enabled: boolp(false), OcspCustomCname: "ocsp.example.com"}}, ErrInvalidArgs},
		{"CRL CNAME with https://", crlOn(func(c *CrlConfiguration) { c.CustomCname = "https://crl.example.com" }), ErrInvalidArgs},
		{"OCSP CNAME with http://", &RevocationConfiguration{OcspConfiguration: &OcspConfiguration{Enabled: boolp(true), OcspCustomCname: "http://ocsp.example.com"}}, ErrInvalidArgs},
		{"disabled, bare", &RevocationConfiguration{CrlConfiguration: &CrlConfiguration{Enabled: boolp(false)}}, nil},
		{"enabled with CNAME", crlOn(func(c *CrlConfiguration) { c.CustomCname = "crl.example.com" }), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.UpdateCertificateAuthority(bg, rootCaller(acct), &UpdateCertificateAuthorityInput{CertificateAuthorityArn: ca, RevocationConfiguration: tc.rc})
			wantKind(t, err, tc.want)
			_, err = e.svc.CreateCertificateAuthority(bg, rootCaller(acct), &CreateCertificateAuthorityInput{
				CertificateAuthorityConfiguration: caConfig(pki.ECPrime256v1, "x"), CertificateAuthorityType: "ROOT", RevocationConfiguration: tc.rc})
			wantKind(t, err, tc.want)
		})
	}
}
