package authz

import "testing"

func TestDenialMessage(t *testing.T) {
	const (
		res    = "arn:aws:acm-pca:us-east-1:111111111111:certificate-authority/ca"
		prefix = "User: arn:aws:sts::222222222222:assumed-role/app/s1 is not authorized to perform: acm-pca:IssueCertificate on resource: " + res + " "
	)
	sess := &session(acctB, "app", "s1").Principal
	tests := []struct {
		reason Reason
		want   string
	}{
		{DeniedNoIdentityAllow, prefix + "because no identity-based policy allows the acm-pca:IssueCertificate action"},
		{DeniedNoResourceAllow, prefix + "because no resource-based policy allows the acm-pca:IssueCertificate action"},
		{DeniedExplicitIdentity, prefix + "with an explicit deny in an identity-based policy"},
		{DeniedExplicitResource, prefix + "with an explicit deny in a resource-based policy"},
		{DeniedExplicitSCP, prefix + "with an explicit deny in a service control policy"},
		{DeniedNoSCPAllow, prefix + "because no service control policy allows the acm-pca:IssueCertificate action"},
		{DeniedExplicitSession, prefix + "with an explicit deny in a session policy"},
		{DeniedNoSessionAllow, prefix + "because no session policy allows the acm-pca:IssueCertificate action"},
		{DeniedExplicitBoundary, prefix + "with an explicit deny in a permissions boundary"},
		{DeniedNoBoundaryAllow, prefix + "because no permissions boundary allows the acm-pca:IssueCertificate action"},
		{AllowedByIdentity, ""},
		{AllowedByResource, ""},
		{AllowedByBoth, ""},
		{AllowedAsRoot, ""},
	}
	for _, tc := range tests {
		t.Run(tc.reason.String(), func(t *testing.T) {
			if got := DenialMessage(sess, actIssue, res, tc.reason); got != tc.want {
				t.Errorf("DenialMessage\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestDenialMessageCallers(t *testing.T) {
	tests := []struct {
		name     string
		p        *Principal
		resource string
		want     string
	}{
		{"user", &user(acctA, "alice").Principal, "*",
			"User: arn:aws:iam::111111111111:user/alice is not authorized to perform: acm-pca:ListCertificateAuthorities on resource: * because no identity-based policy allows the acm-pca:ListCertificateAuthorities action"},
		{"root", &root(acctB).Principal, "*",
			"User: arn:aws:iam::222222222222:root is not authorized to perform: acm-pca:ListCertificateAuthorities on resource: * because no identity-based policy allows the acm-pca:ListCertificateAuthorities action"},
		{"service", &service("acm.amazonaws.com").Principal, "*",
			"User: acm.amazonaws.com is not authorized to perform: acm-pca:ListCertificateAuthorities on resource: * because no identity-based policy allows the acm-pca:ListCertificateAuthorities action"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := DenialMessage(tc.p, "acm-pca:ListCertificateAuthorities", tc.resource, DeniedNoIdentityAllow); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestReasonString(t *testing.T) {
	for r := AllowedByIdentity; r <= DeniedNoBoundaryAllow; r++ {
		if s := r.String(); s == "" || s[0] == 'R' {
			t.Errorf("Reason %d has no name: %q", int(r), s)
		}
	}
	if got := Reason(99).String(); got != "Reason(99)" {
		t.Errorf("Reason(99).String() = %q", got)
	}
}
