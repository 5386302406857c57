package pca

import (
	"strings"
	"testing"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/pki"
	"github.com/openpca/openpca/internal/store"
)

func TestPolicyLifecycle(t *testing.T) {
	w := newWorld()
	e := newWorldEnv(t, w)
	ca := e.activeRoot(pki.ECPrime256v1, 5)
	owner := rootCaller(acct)

	_, err := e.svc.GetPolicy(bg, owner, &GetPolicyInput{ResourceArn: ca})
	wantKind(t, err, ErrNotFound)
	if _, err := e.svc.DeletePolicy(bg, owner, &DeletePolicyInput{ResourceArn: ca}); err != nil {
		t.Fatalf("DeletePolicy without a policy: %v", err)
	}

	doc := accountShare(t, ca, acctB)
	if err := e.put(owner, ca, doc); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.GetPolicy(bg, owner, &GetPolicyInput{ResourceArn: ca})
	if err != nil || got.Policy != doc {
		t.Fatalf("GetPolicy = %v, %v; want the document as put", got, err)
	}
	// Replacing, then an invalid document leaves the stored one.
	doc2 := orgShare(t, ca)
	if err := e.put(owner, ca, doc2); err != nil {
		t.Fatal(err)
	}
	wantKind(t, e.put(owner, ca, `{"Version":"2012-10-17"}`), ErrInvalidPolicy)
	if got, _ := e.svc.GetPolicy(bg, owner, &GetPolicyInput{ResourceArn: ca}); got.Policy != doc2 {
		t.Fatalf("after a rejected put the policy is %q", got.Policy)
	}
	// A policy for another CA is refused.
	other := e.activeRoot(pki.ECPrime256v1, 5)
	wantKind(t, e.put(owner, other, doc2), ErrInvalidPolicy)

	if _, err := e.svc.DeletePolicy(bg, owner, &DeletePolicyInput{ResourceArn: ca}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.GetPolicy(bg, owner, &GetPolicyInput{ResourceArn: ca})
	wantKind(t, err, ErrNotFound)

	// Unknown CA and malformed ARN.
	missing := caARN("us-east-1", acct, "00000000-0000-0000-0000-000000000000")
	wantKind(t, e.put(owner, missing, doc), ErrNotFound)
	wantKind(t, e.put(owner, "arn:aws:acm-pca:us-east-1:111122223333:nope", doc), ErrInvalidArn)
}

// Put/Get/DeletePolicy on a DELETED CA: InvalidState (§2.10); the policy
// comes back with the CA.
func TestPolicyDeletedCA(t *testing.T) {
	w := newWorld()
	e := newWorldEnv(t, w)
	owner := rootCaller(acct)
	ca := e.create("ROOT", pki.ECPrime256v1, "pending")
	doc := accountShare(t, ca, acctB)
	if err := e.put(owner, ca, doc); err != nil {
		t.Fatalf("PutPolicy on a PENDING_CERTIFICATE CA: %v", err)
	}
	if _, err := e.svc.DeleteCertificateAuthority(bg, owner, &DeleteCertificateAuthorityInput{CertificateAuthorityArn: ca}); err != nil {
		t.Fatal(err)
	}
	wantKind(t, e.put(owner, ca, doc), ErrInvalidState)
	_, err := e.svc.DeletePolicy(bg, owner, &DeletePolicyInput{ResourceArn: ca})
	wantKind(t, err, ErrInvalidState)
	_, err = e.svc.GetPolicy(bg, owner, &GetPolicyInput{ResourceArn: ca})
	wantKind(t, err, ErrInvalidState)
	if _, err := e.svc.RestoreCertificateAuthority(bg, owner, &RestoreCertificateAuthorityInput{CertificateAuthorityArn: ca}); err != nil {
		t.Fatal(err)
	}
	if got, err := e.svc.GetPolicy(bg, owner, &GetPolicyInput{ResourceArn: ca}); err != nil || got.Policy != doc {
		t.Fatalf("GetPolicy after restore = %v, %v", got, err)
	}
}

func TestPolicyLockout(t *testing.T) {
	w := newWorld()
	e := newWorldEnv(t, w)
	ca := e.activeRoot(pki.ECPrime256v1, 5)
	admin := w.user(acct, "admin", allowAllPCA)
	deny := func(principal, action string) string {
		return `{"Version":"2012-10-17","Statement":[{"Sid":"Lock","Effect":"Deny","Principal":` + principal +
			`,"Action":"` + action + `","Resource":"` + ca + `"}]}`
	}
	tests := []struct {
		name   string
		caller *authz.Caller
		doc    string
		want   error
	}{
		{"root denies its account PutPolicy", rootCaller(acct), deny(`{"AWS":"`+acct+`"}`, "acm-pca:PutPolicy"), ErrLockoutPrevented},
		{"deny acm-pca:* to everyone", rootCaller(acct), deny(`"*"`, "acm-pca:*"), ErrLockoutPrevented},
		{"deny GetPolicy by wildcard", admin, deny(`{"AWS":"`+admin.ARN+`"}`, "acm-pca:*Policy"), ErrLockoutPrevented},
		{"deny DeletePolicy to the caller's account", admin, deny(`{"AWS":"arn:aws:iam::`+acct+`:root"}`, "acm-pca:DeletePolicy"), ErrLockoutPrevented},
		{"deny to another user is fine", rootCaller(acct), deny(`{"AWS":"arn:aws:iam::`+acct+`:user/other"}`, "acm-pca:PutPolicy"), nil},
		{"deny of issuance is fine", admin, deny(`"*"`, "acm-pca:IssueCertificate"), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := e.put(tc.caller, ca, tc.doc)
			wantKind(t, err, tc.want)
			if tc.want != nil && !strings.Contains(err.Error(), `Sid "Lock"`) {
				t.Fatalf("message %q does not name the statement", err)
			}
		})
	}
	// The accepted deny of issuance applies to the owner's own users too.
	_, err := e.issueAs(admin, ca, "")
	wantDenied(t, err, "with an explicit deny in a resource-based policy")
	// A deny of management actions to another user reaches that user.
	other := w.user(acct, "other", allowAllPCA)
	if err := e.put(rootCaller(acct), ca, deny(`{"AWS":"`+other.ARN+`"}`, "acm-pca:UpdateCertificateAuthority")); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.UpdateCertificateAuthority(bg, other, &UpdateCertificateAuthorityInput{CertificateAuthorityArn: ca, Status: "DISABLED"})
	wantDenied(t, err, "with an explicit deny in a resource-based policy")
}

// The acceptance rows of §10b at the service level.
func TestCrossAccountEnforcement(t *testing.T) {
	w := newWorld()
	e := newWorldEnv(t, w)
	ca := e.activeRoot(pki.ECPrime256v1, 5)
	owner := rootCaller(acct)
	bDev := w.user(acctB, "dev", allowAllPCA)
	bNone := w.user(acctB, "none")
	bDenied := w.user(acctB, "denied", denyDoc("acm-pca:IssueCertificate"))
	bRole := w.role(acctB, "issuer", allowAllPCA)
	cDev := w.user(acctC, "dev", allowAllPCA)
	dDev := w.user(acctD, "dev", allowAllPCA)
	aUser := w.user(acct, "local", allowAllPCA)
	subTmpl := tmplARN("SubordinateCACertificate_PathLen0")

	// Row 1: no policy.
	_, err := e.issueAs(bDev, ca, "")
	wantDenied(t, err, "is not authorized to perform: acm-pca:IssueCertificate on resource: "+ca+" because no resource-based policy allows the acm-pca:IssueCertificate action")
	// Row 7: same account, identity only.
	if _, err := e.issueAs(aUser, ca, ""); err != nil {
		t.Fatalf("same-account issuance: %v", err)
	}

	// Row 2: account share.
	if err := e.put(owner, ca, accountShare(t, ca, acctB)); err != nil {
		t.Fatal(err)
	}
	cert, err := e.issueAs(bDev, ca, "")
	if err != nil {
		t.Fatalf("B issues: %v", err)
	}
	if !strings.HasPrefix(cert, ca+"/certificate/") {
		t.Fatalf("certificate ARN %s is not under the CA", cert)
	}
	if _, err := e.svc.GetCertificate(bg, bDev, &GetCertificateInput{CertificateAuthorityArn: ca, CertificateArn: cert}); err != nil {
		t.Fatalf("B gets its certificate: %v", err)
	}
	row := e.certRow(ca, cert)
	if row.account != acctB || row.principal != bDev.ARN {
		t.Fatalf("issuer recorded as %s/%s, want %s/%s", row.account, row.principal, acctB, bDev.ARN)
	}
	if _, err := e.issueAs(rootCaller(acctB), ca, ""); err != nil {
		t.Fatalf("B's root issues: %v", err)
	}
	if _, err := e.issueAs(bRole, ca, ""); err != nil {
		t.Fatalf("B's role session issues under the account share: %v", err)
	}
	for _, op := range []func(c *authz.Caller) error{
		func(c *authz.Caller) error {
			_, err := e.svc.DescribeCertificateAuthority(bg, c, &DescribeCertificateAuthorityInput{CertificateAuthorityArn: ca})
			return err
		},
		func(c *authz.Caller) error {
			_, err := e.svc.GetCertificateAuthorityCertificate(bg, c, &GetCertificateAuthorityCertificateInput{CertificateAuthorityArn: ca})
			return err
		},
		func(c *authz.Caller) error {
			_, err := e.svc.ListTags(bg, c, &ListTagsInput{CertificateAuthorityArn: ca})
			return err
		},
	} {
		if err := op(bDev); err != nil {
			t.Fatalf("shared read by B: %v", err)
		}
	}
	// Row 3: template restriction.
	_, err = e.issueAs(bDev, ca, subTmpl)
	wantDenied(t, err, "because no resource-based policy allows")
	// Row 4: no identity policy.
	_, err = e.issueAs(bNone, ca, "")
	wantDenied(t, err, "because no identity-based policy allows the acm-pca:IssueCertificate action")
	// Row 5: explicit deny in the identity policy.
	_, err = e.issueAs(bDenied, ca, "")
	wantDenied(t, err, "with an explicit deny in an identity-based policy")
	// Row 6: management calls, whatever B's identity policy says.
	mgmt := map[string]func() error{
		"GetPolicy": func() error {
			_, err := e.svc.GetPolicy(bg, bDev, &GetPolicyInput{ResourceArn: ca})
			return err
		},
		"PutPolicy": func() error { return e.put(bDev, ca, accountShare(t, ca, acctB)) },
		"DeletePolicy": func() error {
			_, err := e.svc.DeletePolicy(bg, bDev, &DeletePolicyInput{ResourceArn: ca})
			return err
		},
		"UpdateCertificateAuthority": func() error {
			_, err := e.svc.UpdateCertificateAuthority(bg, bDev, &UpdateCertificateAuthorityInput{CertificateAuthorityArn: ca, Status: "DISABLED"})
			return err
		},
		"GetCertificateAuthorityCsr": func() error {
			_, err := e.svc.GetCertificateAuthorityCsr(bg, bDev, &GetCertificateAuthorityCsrInput{CertificateAuthorityArn: ca})
			return err
		},
		"TagCertificateAuthority": func() error {
			_, err := e.svc.TagCertificateAuthority(bg, bDev, &TagCertificateAuthorityInput{CertificateAuthorityArn: ca, Tags: []Tag{{Key: "k"}}})
			return err
		},
	}
	for name, call := range mgmt {
		wantDenied(t, call(), "acm-pca:"+name+" on resource: "+ca+" because no resource-based policy allows")
	}
	// C is not named.
	_, err = e.issueAs(cDev, ca, "")
	wantDenied(t, err, "because no resource-based policy allows")

	// User-ARN share: only that user; role-ARN share: that role's sessions.
	userShare := accountShare(t, ca, bDev.ARN)
	if err := e.put(owner, ca, userShare); err != nil {
		t.Fatal(err)
	}
	if _, err := e.issueAs(bDev, ca, ""); err != nil {
		t.Fatalf("named user issues: %v", err)
	}
	_, err = e.issueAs(bRole, ca, "")
	wantDenied(t, err, "because no resource-based policy allows")
	if err := e.put(owner, ca, accountShare(t, ca, bRole.PrincipalARN)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.issueAs(bRole, ca, ""); err != nil {
		t.Fatalf("named role's session issues: %v", err)
	}
	_, err = e.issueAs(bDev, ca, "")
	wantDenied(t, err, "because no resource-based policy allows")

	// Row 8: organization share: C and D (both members) yes, B no.
	if err := e.put(owner, ca, orgShare(t, ca)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*authz.Caller{cDev, dDev} {
		if _, err := e.issueAs(c, ca, ""); err != nil {
			t.Fatalf("%s under the org share: %v", c.ARN, err)
		}
	}
	_, err = e.issueAs(bDev, ca, "")
	wantDenied(t, err, "because no resource-based policy allows")

	// OU share: C (inside) yes, D (outside) no; moving C out flips it.
	if err := e.put(owner, ca, ouShare(ca)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.issueAs(cDev, ca, ""); err != nil {
		t.Fatalf("C in the OU: %v", err)
	}
	_, err = e.issueAs(dDev, ca, "")
	wantDenied(t, err, "because no resource-based policy allows")
	w.move(acctC, authz.OrgContext{OrgID: testOrg, Paths: []string{testOrg + "/r-ab12/"}, ManagementAccount: acct})
	_, err = e.issueAs(cDev, ca, "")
	wantDenied(t, err, "because no resource-based policy allows")

	// After DeletePolicy nobody outside A is allowed.
	if _, err := e.svc.DeletePolicy(bg, owner, &DeletePolicyInput{ResourceArn: ca}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.GetCertificate(bg, bDev, &GetCertificateInput{CertificateAuthorityArn: ca, CertificateArn: cert})
	wantDenied(t, err, "because no resource-based policy allows the acm-pca:GetCertificate action")
}

// The permission statements (CreatePermission) join the CA policy: a
// policy from PutPolicy must not hide them, and vice versa.
func TestMergePolicies(t *testing.T) {
	ca := docCA
	perm := map[string]any{"Sid": "acm", "Effect": "Allow", "Principal": map[string]any{"Service": "acm.amazonaws.com"},
		"Action": []any{"acm-pca:IssueCertificate"}, "Resource": ca}
	share := sharePolicyText(t, "policy_account_share.json")
	deny := `{"Version":"2008-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"acm-pca:RevokeCertificate","Resource":"*"}}`
	tests := []struct {
		name             string
		doc              string
		perms            []map[string]any
		wantFull         int // statements in the full document; -1 none
		wantDeny         int // statements in the deny-only document; -1 none
		wantVersion2008  bool
		wantVerbatimFull bool
	}{
		{"nothing", "", nil, -1, -1, false, false},
		{"policy only", share, nil, 2, -1, false, true},
		{"permissions only", "", []map[string]any{perm}, 1, -1, false, false},
		{"both", share, []map[string]any{perm}, 3, -1, false, false},
		{"deny as an object, 2008", deny, []map[string]any{perm}, 2, 1, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := mergePolicies(ca, tc.doc, tc.doc != "", tc.perms)
			if err != nil {
				t.Fatal(err)
			}
			check := func(what string, pol *authz.Policy, want int) {
				if want < 0 {
					if pol != nil {
						t.Fatalf("%s: got %s, want none", what, pol.Document)
					}
					return
				}
				if pol == nil {
					t.Fatalf("%s: none, want %d statements", what, want)
				}
				if pol.Kind != authz.ResourcePolicy || pol.Name != ca {
					t.Fatalf("%s: kind %v name %s", what, pol.Kind, pol.Name)
				}
				d, err := parseResourceDoc(pol.Document)
				if err != nil {
					t.Fatalf("%s does not parse: %v\n%s", what, err, pol.Document)
				}
				if len(d.Statements) != want {
					t.Fatalf("%s: %d statements, want %d", what, len(d.Statements), want)
				}
				if tc.wantVersion2008 && d.Version != "2008-10-17" {
					t.Fatalf("%s: version %s", what, d.Version)
				}
			}
			check("full", p.full, tc.wantFull)
			check("deny-only", p.denyOnly, tc.wantDeny)
			if tc.wantVerbatimFull && p.full.Document != tc.doc {
				t.Fatal("a policy without permissions must be attached verbatim")
			}
		})
	}
}

// Put and Delete take effect at once, though the policy is cached.
func TestPolicyCacheInvalidation(t *testing.T) {
	w := newWorld()
	e := newWorldEnv(t, w)
	ca := e.activeRoot(pki.ECPrime256v1, 5)
	bDev := w.user(acctB, "dev", allowAllPCA)
	for i := range 3 {
		_, err := e.issueAs(bDev, ca, "")
		wantDenied(t, err, "no resource-based policy")
		if err := e.put(rootCaller(acct), ca, accountShare(t, ca, acctB)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.issueAs(bDev, ca, ""); err != nil {
			t.Fatalf("round %d: after PutPolicy: %v", i, err)
		}
		if _, err := e.svc.DeletePolicy(bg, rootCaller(acct), &DeletePolicyInput{ResourceArn: ca}); err != nil {
			t.Fatal(err)
		}
	}
	// invalidatePolicy is what permission changes call; a direct write to
	// the table shows within the TTL only through it.
	_, err := e.issueAs(bDev, ca, "") // caches "no policy"
	wantDenied(t, err, "no resource-based policy")
	if _, err := e.svc.putPolicy(bg, mustCAID(t, e, ca), ca, acct, accountShare(t, ca, acctB), "test", testNow); err != nil {
		t.Fatal(err)
	}
	_, err = e.issueAs(bDev, ca, "")
	// On PostgreSQL a late notification of the DeletePolicy above may
	// already have dropped the cached "no policy".
	if e.db.Engine() != store.Postgres {
		wantDenied(t, err, "no resource-based policy")
	}
	e.svc.invalidatePolicy(mustCAID(t, e, ca))
	if _, err := e.issueAs(bDev, ca, ""); err != nil {
		t.Fatalf("after invalidatePolicy: %v", err)
	}
	// And the TTL bounds staleness for writers in other processes.
	if err := e.svc.deletePolicy(bg, mustCAID(t, e, ca), ca); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(policyCacheTTL + 1)
	_, err = e.issueAs(bDev, ca, "")
	wantDenied(t, err, "no resource-based policy")
}

func mustCAID(t testing.TB, e *env, ca string) string {
	t.Helper()
	_, _, id, err := parseCAARN(ca)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// The issuer revokes across accounts only where the policy grants
// acm-pca:RevokeCertificate (the canonical share does not).
func TestCrossAccountRevocation(t *testing.T) {
	w := newWorld()
	e := newWorldEnv(t, w)
	ca := e.activeRoot(pki.ECPrime256v1, 5)
	bDev := w.user(acctB, "dev", allowAllPCA)
	if err := e.put(rootCaller(acct), ca, accountShare(t, ca, acctB)); err != nil {
		t.Fatal(err)
	}
	cert, err := e.issueAs(bDev, ca, "")
	if err != nil {
		t.Fatal(err)
	}
	revoke := func() error {
		_, err := e.svc.RevokeCertificate(bg, bDev, &RevokeCertificateInput{CertificateAuthorityArn: ca,
			CertificateSerial: cert[strings.LastIndex(cert, "/")+1:], RevocationReason: "KEY_COMPROMISE"})
		return err
	}
	wantDenied(t, revoke(), "acm-pca:RevokeCertificate on resource: "+ca+" because no resource-based policy allows the acm-pca:RevokeCertificate action")
	withRevoke := `{"Version":"2012-10-17","Statement":[{"Sid":"Revoke","Effect":"Allow","Principal":{"AWS":"` + acctB + `"},` +
		`"Action":["acm-pca:IssueCertificate","acm-pca:GetCertificate","acm-pca:RevokeCertificate"],"Resource":"` + ca + `"}]}`
	if err := e.put(rootCaller(acct), ca, withRevoke); err != nil {
		t.Fatal(err)
	}
	if err := revoke(); err != nil {
		t.Fatalf("revocation granted by the policy: %v", err)
	}
}
