package pca

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/pki"
	"github.com/openpca/openpca/internal/policy"
	"github.com/openpca/openpca/internal/store/storetest"
)

func readTestdata(name string) ([]byte, error) { return os.ReadFile("testdata/" + name) }

func sharePolicyText(t testing.TB, name string) string {
	t.Helper()
	b, err := readTestdata(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func parseResourceDoc(doc string) (*policy.Document, error) {
	return policy.Parse([]byte(doc), policy.Resource)
}

type issuedBy struct{ principal, account string }

// certRow reads who issued a certificate.
func (e *env) certRow(caARN, certARN string) issuedBy {
	e.t.Helper()
	serial := certARN[strings.LastIndex(certARN, "/")+1:]
	var r issuedBy
	if err := e.db.QueryRowContext(bg, `SELECT issuer_principal, issuer_account FROM pca_certificates WHERE ca_id = $1 AND serial = $2`,
		mustCAID(e.t, e, caARN), serial).Scan(&r.principal, &r.account); err != nil {
		e.t.Fatal(err)
	}
	return r
}

// Accounts of the cross-account tests: acct (A) owns the CAs; B is
// standalone; C is in the organization inside ou-1; D is in the
// organization outside it.
const (
	acctB   = "222233334444"
	acctC   = "333344445555"
	acctD   = "444455556666"
	testOrg = "o-a1b2c3d4z5"
	testOU  = "ou-ab12-11111111"
)

// world is an in-memory IdentitySource, OrgSource and Directory.
type world struct {
	mu    sync.Mutex
	ids   map[string][]authz.Policy // by PrincipalARN
	orgs  map[string]authz.OrgContext
	users []authz.Principal
}

func newWorld() *world {
	w := &world{ids: map[string][]authz.Policy{}, orgs: map[string]authz.OrgContext{}}
	root := testOrg + "/r-ab12/"
	w.orgs[acct] = authz.OrgContext{OrgID: testOrg, Paths: []string{root}, ManagementAccount: acct}
	w.orgs[acctC] = authz.OrgContext{OrgID: testOrg, Paths: []string{root + testOU + "/"}, ManagementAccount: acct}
	w.orgs[acctD] = authz.OrgContext{OrgID: testOrg, Paths: []string{root}, ManagementAccount: acct}
	return w
}

func (w *world) IdentityPolicies(_ context.Context, p *authz.Principal) ([]authz.Policy, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ids[p.PrincipalARN], nil
}

func (w *world) OrgContext(_ context.Context, a string) (authz.OrgContext, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.orgs[a], nil
}

func (w *world) ListPrincipals(context.Context) ([]authz.Principal, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := []authz.Principal{}
	for _, a := range []string{acct, acctB, acctC, acctD} {
		out = append(out, rootCaller(a).Principal)
	}
	return append(out, w.users...), nil
}

// user adds a user with identity documents and returns its caller.
func (w *world) user(account, name string, docs ...string) *authz.Caller {
	c := userCaller(account, name)
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, d := range docs {
		w.ids[c.PrincipalARN] = append(w.ids[c.PrincipalARN], authz.Policy{Kind: authz.IdentityPolicy, Name: name + "/" + string(rune('a'+i)), Document: d})
	}
	w.users = append(w.users, c.Principal)
	return c
}

// role adds a role with identity documents and returns a session's caller.
func (w *world) role(account, name string, docs ...string) *authz.Caller {
	roleARN := "arn:aws:iam::" + account + ":role/" + name
	c := &authz.Caller{Principal: authz.Principal{Type: authz.TypeAssumedRole, AccountID: account,
		ARN: "arn:aws:sts::" + account + ":assumed-role/" + name + "/s1", PrincipalARN: roleARN,
		UserID: "AROA" + name + ":s1", EntityID: "AROA" + name, RoleName: name, SessionName: "s1"}}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, d := range docs {
		w.ids[roleARN] = append(w.ids[roleARN], authz.Policy{Kind: authz.IdentityPolicy, Name: name, Document: d})
	}
	w.users = append(w.users, c.Principal)
	return c
}

func (w *world) move(account string, oc authz.OrgContext) {
	w.mu.Lock()
	w.orgs[account] = oc
	w.mu.Unlock()
}

// newWorldEnv is newEnv with an engine reading w (no org caching).
func newWorldEnv(t testing.TB, w *world) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), clk: clock.NewFake(testNow)}
	db, err := storetest.OpenDir(context.Background(), t, e.dir)
	if err != nil {
		t.Fatal(err)
	}
	mk, err := keystore.NewMasterKey(masterRaw)
	if err != nil {
		t.Fatal(err)
	}
	e.db, e.mk = db, mk
	e.sealer = &recordingSealer{Sealer: mk}
	e.keys = &gatedKeys{KeyStore: keystore.NewSoftware(e.sealer, 0)}
	engine := authz.New(w, w, e.clk)
	engine.SetOrgCacheTTL(0)
	e.svc = New(db, e.keys, engine, e.clk, e.cfg)
	e.svc.SetDirectory(w)
	t.Cleanup(e.close)
	return e
}

const allowAllPCA = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"acm-pca:*","Resource":"*"}]}`

func denyDoc(action string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"acm-pca:*","Resource":"*"},{"Sid":"No","Effect":"Deny","Action":"` + action + `","Resource":"*"}]}`
}

// accountShare is the canonical account share (testdata) for principal on ca.
func accountShare(t testing.TB, ca, principal string) string {
	return sharePolicy(t, "policy_account_share.json", ca, "555555555555", principal)
}

func orgShare(t testing.TB, ca string) string {
	return sharePolicy(t, "policy_org_share.json", ca, "o-a1b2c3d4z5", testOrg)
}

func sharePolicy(t testing.TB, file, ca, from, to string) string {
	t.Helper()
	b, err := readTestdata(file)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(strings.ReplaceAll(string(b), docCA, ca), from, to)
}

func ouShare(ca string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"OU","Effect":"Allow","Principal":"*",` +
		`"Action":["acm-pca:IssueCertificate","acm-pca:GetCertificate"],"Resource":"` + ca + `",` +
		`"Condition":{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"` + testOrg + `/r-ab12/` + testOU + `/*"}}}]}`
}

func (e *env) put(c *authz.Caller, ca, doc string) error {
	_, err := e.svc.PutPolicy(bg, c, &PutPolicyInput{ResourceArn: ca, Policy: doc})
	return err
}

func (e *env) issueAs(c *authz.Caller, ca, template string) (string, error) {
	out, err := e.svc.IssueCertificate(bg, c, &IssueCertificateInput{CertificateAuthorityArn: ca, Csr: leafCSR(e.t, "x.example.com"),
		SigningAlgorithm: string(pki.SHA256WithECDSA), TemplateArn: template, Validity: days(10)})
	if err != nil {
		return "", err
	}
	return out.CertificateArn, nil
}

// wantDenied checks err is an authz denial whose message contains tail.
func wantDenied(t testing.TB, err error, tail string) {
	t.Helper()
	var de *authz.DeniedError
	if !errors.As(err, &de) {
		t.Fatalf("got %v, want AccessDenied", err)
	}
	if !strings.Contains(de.Error(), tail) {
		t.Fatalf("denial %q does not contain %q", de.Error(), tail)
	}
}
