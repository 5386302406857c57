package authz

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/openpca/openpca/internal/clock"
)

// The world of the tests: account A owns the CA and sits in the
// organization's root with the management account M; B is in OU ou-1, C in
// ou-2 (a child of ou-1), F in the root; D is in no organization.
const (
	acctA = "111111111111"
	acctB = "222222222222"
	acctC = "333333333333"
	acctD = "444444444444"
	acctF = "555555555555"
	acctM = "999999999999"

	orgID   = "o-a1b2c3d4e5"
	rootID  = "r-ab12"
	ou1     = "ou-ab12-11111111"
	ou2     = "ou-ab12-22222222"
	pathR   = orgID + "/" + rootID + "/"
	pathOU1 = pathR + ou1 + "/"
	pathOU2 = pathOU1 + ou2 + "/"

	caARN       = "arn:aws:acm-pca:us-east-1:" + acctA + ":certificate-authority/11111111-2222-3333-4444-555555555555"
	tmplDefault = "arn:aws:acm-pca:::template/EndEntityCertificate/V1"
	tmplSubCA   = "arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0/V1"

	actIssue    = "acm-pca:IssueCertificate"
	actGetCert  = "acm-pca:GetCertificate"
	actDescribe = "acm-pca:DescribeCertificateAuthority"
)

var epoch = time.Date(2025, 3, 14, 15, 9, 26, 500_000_000, time.UTC)

func user(acct, name string) *Caller {
	arn := "arn:aws:iam::" + acct + ":user/" + name
	return &Caller{
		Principal: Principal{
			Type: TypeUser, AccountID: acct, ARN: arn, PrincipalARN: arn,
			UserID: "AIDA" + strings.ToUpper(name) + acct, EntityID: "AIDA" + strings.ToUpper(name) + acct,
			UserName: name,
		},
		AccessKeyID: "AKIA" + acct, SourceIP: "192.0.2.10", SecureTransport: true,
	}
}

func roleARN(acct, role string) string { return "arn:aws:iam::" + acct + ":role/svc/" + role }

func sessionARN(acct, role, sess string) string {
	return "arn:aws:sts::" + acct + ":assumed-role/" + role + "/" + sess
}

func session(acct, role, sess string) *Caller {
	return &Caller{
		Principal: Principal{
			Type: TypeAssumedRole, AccountID: acct,
			ARN: sessionARN(acct, role, sess), PrincipalARN: roleARN(acct, role),
			UserID: "AROA" + strings.ToUpper(role) + ":" + sess, EntityID: "AROA" + strings.ToUpper(role),
			RoleName: role, SessionName: sess,
		},
		AccessKeyID: "ASIA" + acct, SecureTransport: true,
	}
}

func root(acct string) *Caller {
	arn := "arn:aws:iam::" + acct + ":root"
	return &Caller{
		Principal:       Principal{Type: TypeAccount, AccountID: acct, ARN: arn, PrincipalARN: arn, UserID: acct},
		SecureTransport: true,
	}
}

func service(name string) *Caller {
	return &Caller{Principal: Principal{Type: TypeService, ServiceName: name}, SecureTransport: true}
}

// doc assembles a 2012-10-17 document from statement JSON.
func doc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func idPol(name, d string) Policy   { return Policy{Kind: IdentityPolicy, Name: name, Document: d} }
func sessPol(name, d string) Policy { return Policy{Kind: SessionPolicy, Name: name, Document: d} }
func bndPol(d string) Policy {
	return Policy{Kind: PermissionsBoundary, Name: "arn:aws:iam::" + acctA + ":policy/boundary", Document: d}
}
func scpPol(name, d string) Policy {
	return Policy{Kind: ServiceControlPolicy, Name: name, Document: d}
}

// Identity documents.
var (
	allowAllPCA     = doc(`{"Effect":"Allow","Action":"acm-pca:*","Resource":"*"}`)
	allowReadPCA    = doc(`{"Effect":"Allow","Action":["acm-pca:Get*","acm-pca:Describe*"],"Resource":"*"}`)
	denyIssue       = doc(`{"Sid":"NoIssue","Effect":"Deny","Action":"acm-pca:IssueCertificate","Resource":"*"}`)
	allowIssueCA    = doc(`{"Effect":"Allow","Action":"acm-pca:IssueCertificate","Resource":"` + caARN + `"}`)
	allowIssueOther = doc(`{"Effect":"Allow","Action":"acm-pca:IssueCertificate","Resource":"arn:aws:acm-pca:us-east-1:` + acctA + `:certificate-authority/other"}`)
	allowOwnUser    = doc(`{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::*:user/${aws:username}"}`)
	allowTeamTag    = doc(`{"Effect":"Allow","Action":"acm-pca:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}}`)
	denyNotTLS      = doc(`{"Sid":"TLSOnly","Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`)
)

// Resource documents.
const readActions = `["acm-pca:DescribeCertificateAuthority","acm-pca:GetCertificate","acm-pca:GetCertificateAuthorityCertificate","acm-pca:ListPermissions","acm-pca:ListTags"]`

// accountShare is the canonical two-statement policy of the PCA guide
// (duplicate Sid "1" included).
func accountShare(principal string) string {
	return doc(
		`{"Sid":"1","Effect":"Allow","Principal":{"AWS":"`+principal+`"},"Action":`+readActions+`,"Resource":"`+caARN+`"}`,
		`{"Sid":"1","Effect":"Allow","Principal":{"AWS":"`+principal+`"},"Action":["acm-pca:IssueCertificate"],"Resource":"`+caARN+`","Condition":{"StringEquals":{"acm-pca:TemplateArn":"`+tmplDefault+`"}}}`,
	)
}

var (
	orgShare = doc(
		`{"Sid":"1","Effect":"Allow","Principal":"*","Action":"acm-pca:IssueCertificate","Resource":"`+caARN+`","Condition":{"StringEquals":{"acm-pca:TemplateArn":"`+tmplDefault+`","aws:PrincipalOrgID":"`+orgID+`"}}}`,
		`{"Sid":"1","Effect":"Allow","Principal":"*","Action":`+readActions+`,"Resource":"`+caARN+`","Condition":{"StringEquals":{"aws:PrincipalOrgID":"`+orgID+`"}}}`,
	)
	ouShare = doc(
		`{"Sid":"OU","Effect":"Allow","Principal":"*","Action":["acm-pca:IssueCertificate","acm-pca:GetCertificate"],"Resource":"` + caARN + `","Condition":{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"` + pathOU1 + `*"}}}`,
	)
	denyIssueToB = doc(
		`{"Sid":"NoB","Effect":"Deny","Principal":{"AWS":"`+acctB+`"},"Action":"acm-pca:IssueCertificate","Resource":"`+caARN+`"}`,
		`{"Sid":"AllB","Effect":"Allow","Principal":{"AWS":"`+acctB+`"},"Action":"acm-pca:*","Resource":"`+caARN+`"}`,
	)
	denyIssueToA = doc(
		`{"Sid":"NoA","Effect":"Deny","Principal":{"AWS":"` + acctA + `"},"Action":"acm-pca:IssueCertificate","Resource":"` + caARN + `"}`,
	)
	acmPermission = doc(
		`{"Sid":"acm","Effect":"Allow","Principal":{"Service":"acm.amazonaws.com"},"Action":["acm-pca:IssueCertificate","acm-pca:GetCertificate","acm-pca:ListPermissions"],"Resource":"` + caARN + `","Condition":{"StringEquals":{"aws:SourceAccount":"` + acctA + `"}}}`,
	)
	acmPermissionNoCond = doc(
		`{"Sid":"acm","Effect":"Allow","Principal":{"Service":"acm.amazonaws.com"},"Action":["acm-pca:IssueCertificate","acm-pca:GetCertificate","acm-pca:ListPermissions"],"Resource":"` + caARN + `"}`,
	)
)

// grant is a resource policy allowing every CA action to one principal.
func grant(principal string) string {
	return doc(`{"Sid":"Grant","Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"acm-pca:*","Resource":"` + caARN + `"}`)
}

// SCP documents.
var (
	scpFullAccess = doc(`{"Sid":"FullAWSAccess","Effect":"Allow","Action":"*","Resource":"*"}`)
	scpDenyIssue  = doc(`{"Sid":"NoIssue","Effect":"Deny","Action":"acm-pca:IssueCertificate","Resource":"*"}`)
	scpOnlyIAM    = doc(`{"Sid":"IAMOnly","Effect":"Allow","Action":"iam:*","Resource":"*"}`)
)

// fakeIDs is an in-memory IdentitySource.
type fakeIDs struct {
	mu    sync.Mutex
	pols  []Policy
	err   error
	calls int
}

func (f *fakeIDs) IdentityPolicies(_ context.Context, p *Principal) ([]Policy, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	return f.pols, f.err
}

// fakeOrgs is an in-memory OrgSource whose answers tests can change.
type fakeOrgs struct {
	mu    sync.Mutex
	accts map[string]OrgContext
	err   error
	calls int
}

func (f *fakeOrgs) OrgContext(_ context.Context, acct string) (OrgContext, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return OrgContext{}, f.err
	}
	return f.accts[acct], nil
}

func (f *fakeOrgs) set(acct string, oc OrgContext) {
	f.mu.Lock()
	f.accts[acct] = oc
	f.mu.Unlock()
}

func member(path string) OrgContext {
	return OrgContext{OrgID: orgID, Paths: []string{path}, ManagementAccount: acctM}
}

func worldOrgs() *fakeOrgs {
	return &fakeOrgs{accts: map[string]OrgContext{
		acctA: member(pathR),
		acctB: member(pathOU1),
		acctC: member(pathOU2),
		acctF: member(pathR),
		acctM: member(pathR),
	}}
}

// withSCPLevels turns SCPs on for acct with one policy list per level.
func withSCPLevels(acct string, levels ...[]Policy) func(*fakeOrgs) {
	return func(f *fakeOrgs) {
		oc := f.accts[acct]
		oc.SCPsEnabled = true
		oc.SCPLevels = levels
		f.accts[acct] = oc
	}
}

// withSCPs turns SCPs on for acct with the given policies.
func withSCPs(acct string, pols ...Policy) func(*fakeOrgs) {
	return func(f *fakeOrgs) {
		oc := f.accts[acct]
		oc.SCPsEnabled = true
		oc.SCPs = pols
		f.accts[acct] = oc
	}
}

var errStore = errors.New("store unavailable")

func newTestEngine(ids IdentitySource, orgs OrgSource) (*Engine, *clock.Fake) {
	clk := clock.NewFake(epoch)
	return New(ids, orgs, clk), clk
}
