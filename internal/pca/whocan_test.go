package pca

import (
	"sort"
	"strings"
	"testing"

	"github.com/openpca/openpca/internal/pki"
)

func TestWhoCan(t *testing.T) {
	w := newWorld()
	e := newWorldEnv(t, w)
	ca := e.activeRoot(pki.ECPrime256v1, 5)
	owner := rootCaller(acct)
	admin := w.user(acct, "admin", allowAllPCA)
	w.user(acct, "nobody")
	bDev := w.user(acctB, "dev", allowAllPCA)
	w.user(acctB, "denied", denyDoc("acm-pca:IssueCertificate"))
	bRole := w.role(acctB, "issuer", allowAllPCA)
	cDev := w.user(acctC, "dev", allowAllPCA)
	w.user(acctD, "dev", allowAllPCA)

	names := func(action string) map[string]string {
		t.Helper()
		ps, err := e.svc.WhoCan(bg, owner, ca, action)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, p := range ps {
			out[p.PrincipalArn] = p.Reason
			if p.Reason != "AllowedAsRoot" && len(p.Statements) == 0 {
				t.Errorf("%s allowed without statements", p.PrincipalArn)
			}
		}
		return out
	}
	expect := func(got map[string]string, want map[string]string) {
		t.Helper()
		if len(got) != len(want) {
			var g []string
			for k, v := range got {
				g = append(g, k+"="+v)
			}
			sort.Strings(g)
			t.Fatalf("got %d principals %v, want %d", len(got), g, len(want))
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("%s: got %q, want %q", k, got[k], v)
			}
		}
	}

	rootA := rootCaller(acct).ARN
	expect(names(""), map[string]string{rootA: "AllowedAsRoot", admin.ARN: "AllowedByIdentity"})

	if err := e.put(owner, ca, accountShare(t, ca, acctB)); err != nil {
		t.Fatal(err)
	}
	expect(names("IssueCertificate"), map[string]string{rootA: "AllowedAsRoot", admin.ARN: "AllowedByIdentity",
		rootCaller(acctB).ARN: "AllowedByBoth", bDev.ARN: "AllowedByBoth", bRole.PrincipalARN: "AllowedByBoth"})
	// Management actions never reach B, whatever B's identity policy says.
	expect(names("acm-pca:UpdateCertificateAuthority"), map[string]string{rootA: "AllowedAsRoot", admin.ARN: "AllowedByIdentity"})

	if err := e.put(owner, ca, ouShare(ca)); err != nil {
		t.Fatal(err)
	}
	got := names("acm-pca:GetCertificate")
	if got[cDev.ARN] != "AllowedByBoth" || got[bDev.ARN] != "" {
		t.Fatalf("OU share: %v", got)
	}

	// Only the owner may ask; unknown actions are refused.
	_, err := e.svc.WhoCan(bg, bDev, ca, "")
	wantDenied(t, err, "acm-pca:GetPolicy on resource: "+ca+" because no resource-based policy allows")
	for _, bad := range []string{"s3:GetObject", "acm-pca:Nope", "Nope"} {
		_, err := e.svc.WhoCan(bg, owner, ca, bad)
		wantKind(t, err, ErrInvalidArgs)
	}
	out, err := e.svc.ListPrincipalsWithAccess(bg, owner, &ListPrincipalsWithAccessInput{CertificateAuthorityArn: ca})
	if err != nil || out.Action != DefaultWhoCanAction {
		t.Fatalf("ListPrincipalsWithAccess = %+v, %v", out, err)
	}
	for _, p := range out.Principals {
		for _, s := range p.Statements {
			if s.PolicyKind == "ResourcePolicy" && s.Policy != ca {
				t.Fatalf("resource statement named %q", s.Policy)
			}
		}
	}
}

func TestWhoCanWithoutDirectory(t *testing.T) {
	e := newEnv(t, Config{})
	ca := e.create("ROOT", pki.ECPrime256v1, "x")
	_, err := e.svc.WhoCan(bg, rootCaller(acct), ca, "")
	wantKind(t, err, ErrRequestFailed)
	if !strings.Contains(err.Error(), "directory") {
		t.Fatalf("message %q", err)
	}
}

func TestNormalizeAction(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "acm-pca:IssueCertificate"},
		{"IssueCertificate", "acm-pca:IssueCertificate"},
		{"ACM-PCA:getcertificate", "acm-pca:GetCertificate"},
		{"acm-pca:PutPolicy", "acm-pca:PutPolicy"},
		{"acm-pca:Issue*", ""},
		{"iam:GetUser", ""},
	}
	for _, tc := range tests {
		got, err := normalizeAction(tc.in)
		if tc.want == "" {
			if err == nil {
				t.Errorf("%q accepted as %q", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
