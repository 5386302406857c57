package policy

import (
	"fmt"
	"testing"
)

const (
	caARN    = "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11223344-1234-1122-2233-112233445566"
	userARN  = "arn:aws:iam::444455556666:user/dev/alice"
	roleARN  = "arn:aws:iam::444455556666:role/ops/Deployer"
	sessARN  = "arn:aws:sts::444455556666:assumed-role/Deployer/build-42"
	rootARN  = "arn:aws:iam::444455556666:root"
	otherAcc = "777788889999"
)

var (
	pUser    = &Principal{Account: "444455556666", ARNs: []string{userARN}}
	pSession = &Principal{Account: "444455556666", ARNs: []string{sessARN, roleARN}}
	pRoot    = &Principal{Account: "444455556666", ARNs: []string{rootARN}}
	pOther   = &Principal{Account: otherAcc, ARNs: []string{"arn:aws:iam::" + otherAcc + ":user/bob"}}
	pAnon    = &Principal{Anonymous: true}
	pACM     = &Principal{Service: "acm.amazonaws.com"}
	pFed     = &Principal{Federated: "cognito-identity.amazonaws.com"}
)

func resourceDoc(effect, principal string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":%q,%s,"Action":"acm-pca:IssueCertificate","Resource":%q}]}`, effect, principal, caARN)
}

func TestPrincipalMatching(t *testing.T) {
	tests := []struct {
		name      string
		principal string
		caller    *Principal
		want      bool
	}{
		{"account ID matches user", `"Principal":{"AWS":"444455556666"}`, pUser, true},
		{"account ID matches role session", `"Principal":{"AWS":"444455556666"}`, pSession, true},
		{"account ID matches root", `"Principal":{"AWS":"444455556666"}`, pRoot, true},
		{"account ID other account", `"Principal":{"AWS":"444455556666"}`, pOther, false},
		{"account ID not a service", `"Principal":{"AWS":"444455556666"}`, pACM, false},
		{"account ID not anonymous", `"Principal":{"AWS":"444455556666"}`, pAnon, false},
		{"root ARN matches user", `"Principal":{"AWS":"arn:aws:iam::444455556666:root"}`, pUser, true},
		{"root ARN matches session", `"Principal":{"AWS":"arn:aws:iam::444455556666:root"}`, pSession, true},
		{"root ARN other account", `"Principal":{"AWS":"arn:aws:iam::444455556666:root"}`, pOther, false},
		{"user ARN matches user", `"Principal":{"AWS":"` + userARN + `"}`, pUser, true},
		{"user ARN not root", `"Principal":{"AWS":"` + userARN + `"}`, pRoot, false},
		{"user ARN not other user", `"Principal":{"AWS":"arn:aws:iam::444455556666:user/dev/bob"}`, pUser, false},
		{"role ARN matches its session", `"Principal":{"AWS":"` + roleARN + `"}`, pSession, true},
		{"role ARN not user", `"Principal":{"AWS":"` + roleARN + `"}`, pUser, false},
		{"session ARN matches session", `"Principal":{"AWS":"` + sessARN + `"}`, pSession, true},
		{"other session ARN", `"Principal":{"AWS":"arn:aws:sts::444455556666:assumed-role/Deployer/other"}`, pSession, false},
		{"principal list OR", `"Principal":{"AWS":["` + otherAcc + `","` + userARN + `"]}`, pUser, true},
		{"star matches user", `"Principal":"*"`, pUser, true},
		{"star matches anonymous", `"Principal":"*"`, pAnon, true},
		{"star matches federated", `"Principal":"*"`, pFed, true},
		{"star not service", `"Principal":"*"`, pACM, false},
		{"AWS star matches other account", `"Principal":{"AWS":"*"}`, pOther, true},
		{"AWS star matches anonymous", `"Principal":{"AWS":"*"}`, pAnon, true},
		{"service matches service", `"Principal":{"Service":"acm.amazonaws.com"}`, pACM, true},
		{"service case-insensitive", `"Principal":{"Service":"ACM.amazonaws.com"}`, pACM, true},
		{"service not account", `"Principal":{"Service":"acm.amazonaws.com"}`, pUser, false},
		{"other service", `"Principal":{"Service":"ec2.amazonaws.com"}`, pACM, false},
		{"federated matches", `"Principal":{"Federated":"cognito-identity.amazonaws.com"}`, pFed, true},
		{"canonical user never matches", `"Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}`, pUser, false},
		{"nil principal never matches", `"Principal":"*"`, nil, false},
		{"NotPrincipal excludes listed user", `"NotPrincipal":{"AWS":"` + userARN + `"}`, pUser, false},
		{"NotPrincipal applies to others", `"NotPrincipal":{"AWS":"` + userARN + `"}`, pOther, true},
		{"NotPrincipal account exempts root only", `"NotPrincipal":{"AWS":"444455556666"}`, pRoot, false},
		{"NotPrincipal account does not exempt users", `"NotPrincipal":{"AWS":"444455556666"}`, pUser, true},
		{"NotPrincipal role ARN exempts session", `"NotPrincipal":{"AWS":"` + roleARN + `"}`, pSession, false},
		{"NotPrincipal applies to service", `"NotPrincipal":{"AWS":"444455556666"}`, pACM, true},
		{"NotPrincipal service exempts it", `"NotPrincipal":{"Service":"acm.amazonaws.com"}`, pACM, false},
		{"NotPrincipal nil principal", `"NotPrincipal":{"AWS":"444455556666"}`, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, resourceDoc("Allow", tc.principal), Resource)
			r := d.Evaluate(&Request{Principal: tc.caller, Action: "acm-pca:IssueCertificate", Resource: caARN})
			if got := r.Effect == Allow; got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestActionAndResourceMatching(t *testing.T) {
	tests := []struct {
		name     string
		stmt     string
		action   string
		resource string
		want     bool
	}{
		{"exact action", `"Action":"acm-pca:IssueCertificate","Resource":"*"`, "acm-pca:IssueCertificate", caARN, true},
		{"action case-insensitive", `"Action":"ACM-PCA:issuecertificate","Resource":"*"`, "acm-pca:IssueCertificate", caARN, true},
		{"request action case-insensitive", `"Action":"acm-pca:IssueCertificate","Resource":"*"`, "ACM-PCA:ISSUECERTIFICATE", caARN, true},
		{"action prefix wildcard", `"Action":"acm-pca:Get*","Resource":"*"`, "acm-pca:GetCertificate", caARN, true},
		{"action prefix wildcard miss", `"Action":"acm-pca:Get*","Resource":"*"`, "acm-pca:IssueCertificate", caARN, false},
		{"action question mark", `"Action":"acm-pca:?etCertificate","Resource":"*"`, "acm-pca:GetCertificate", caARN, true},
		{"action middle wildcard", `"Action":"acm-pca:*Certificate","Resource":"*"`, "acm-pca:RevokeCertificate", caARN, true},
		{"action star", `"Action":"*","Resource":"*"`, "ram:CreateResourceShare", "*", true},
		{"action service star", `"Action":"acm-pca:*","Resource":"*"`, "acm:RequestCertificate", "*", false},
		{"action list", `"Action":["acm:Describe*","acm-pca:ListTags"],"Resource":"*"`, "acm-pca:ListTags", caARN, true},
		{"NotAction excludes", `"NotAction":"acm-pca:Delete*","Resource":"*"`, "acm-pca:DeleteCertificateAuthority", caARN, false},
		{"NotAction includes others", `"NotAction":"acm-pca:Delete*","Resource":"*"`, "acm-pca:IssueCertificate", caARN, true},
		{"NotAction case-insensitive", `"NotAction":"iam:*","Resource":"*"`, "IAM:CreateUser", "*", false},
		{"resource exact", `"Action":"*","Resource":"` + caARN + `"`, "acm-pca:GetCertificate", caARN, true},
		{"resource other CA", `"Action":"*","Resource":"` + caARN + `"`, "acm-pca:GetCertificate", caARN + "0", false},
		{"resource case-sensitive", `"Action":"*","Resource":"arn:aws:acm-pca:us-east-1:111122223333:Certificate-authority/*"`, "acm-pca:GetCertificate", caARN, false},
		{"resource wildcard", `"Action":"*","Resource":"arn:aws:acm-pca:*:111122223333:certificate-authority/*"`, "acm-pca:GetCertificate", caARN, true},
		{"resource question", `"Action":"*","Resource":"arn:aws:acm-pca:us-east-?:111122223333:certificate-authority/*"`, "acm-pca:GetCertificate", caARN, true},
		{"resource star crosses colons", `"Action":"*","Resource":"arn:aws:acm-pca:*"`, "acm-pca:GetCertificate", caARN, true},
		{"resource list", `"Action":"*","Resource":["arn:aws:s3:::x","` + caARN + `"]`, "acm-pca:GetCertificate", caARN, true},
		{"NotResource excludes", `"Action":"*","NotResource":"arn:aws:acm-pca:*:*:certificate-authority/*"`, "acm-pca:GetCertificate", caARN, false},
		{"NotResource includes others", `"Action":"*","NotResource":"arn:aws:acm-pca:*:*:certificate-authority/*"`, "s3:GetObject", "arn:aws:s3:::b/k", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow",`+tc.stmt+`}}`, Identity)
			r := d.Evaluate(&Request{Action: tc.action, Resource: tc.resource})
			if got := r.Effect == Allow; got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestResourceVariables(t *testing.T) {
	tests := []struct {
		name     string
		version  string
		resource string
		ctx      kv
		target   string
		want     bool
	}{
		{"username", Version2012, "arn:aws:s3:::home/${aws:username}/*", kv{"aws:username": {"alice"}}, "arn:aws:s3:::home/alice/f", true},
		{"username other", Version2012, "arn:aws:s3:::home/${aws:username}/*", kv{"aws:username": {"bob"}}, "arn:aws:s3:::home/alice/f", false},
		{"username missing", Version2012, "arn:aws:s3:::home/${aws:username}/*", kv{}, "arn:aws:s3:::home/alice/f", false},
		{"principal tag", Version2012, "arn:aws:s3:::team/${aws:PrincipalTag/team}/*", kv{"aws:principaltag/team": {"red"}}, "arn:aws:s3:::team/red/x", true},
		{"default used", Version2012, "arn:aws:s3:::team/${aws:PrincipalTag/team, 'shared'}/*", kv{}, "arn:aws:s3:::team/shared/x", true},
		{"default with spaces", Version2012, "arn:aws:s3:::team/${ aws:PrincipalTag/team , 'shared' }/*", kv{}, "arn:aws:s3:::team/shared/x", true},
		{"first value of multivalued key", Version2012, "arn:aws:s3:::t/${k}", kv{"k": {"a", "b"}}, "arn:aws:s3:::t/a", true},
		{"escape star literal", Version2012, "arn:aws:s3:::b/${*}", kv{}, "arn:aws:s3:::b/x", false},
		{"escape star matches asterisk", Version2012, "arn:aws:s3:::b/${*}", kv{}, "arn:aws:s3:::b/*", true},
		{"escape question literal", Version2012, "arn:aws:s3:::b/${?}", kv{}, "arn:aws:s3:::b/x", false},
		{"escape dollar", Version2012, "arn:aws:s3:::b/${$}x", kv{}, "arn:aws:s3:::b/$x", true},
		{"variable value star literal", Version2012, "arn:aws:s3:::b/${aws:username}", kv{"aws:username": {"*"}}, "arn:aws:s3:::b/anything", false},
		{"2008 keeps text", Version2008, "arn:aws:s3:::home/${aws:username}/*", kv{"aws:username": {"alice"}}, "arn:aws:s3:::home/alice/f", false},
		{"2008 literal match", Version2008, "arn:aws:s3:::home/${aws:username}/*", kv{"aws:username": {"alice"}}, "arn:aws:s3:::home/${aws:username}/f", true},
		{"unterminated stays text", Version2012, "arn:aws:s3:::b/${aws:username", kv{"aws:username": {"a"}}, "arn:aws:s3:::b/${aws:username", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := fmt.Sprintf(`{"Version":%q,"Statement":{"Effect":"Allow","Action":"s3:*","Resource":%q}}`, tc.version, tc.resource)
			d := mustParse(t, doc, Identity)
			r := d.Evaluate(&Request{Action: "s3:GetObject", Resource: tc.target, Context: ctxOf(tc.ctx)})
			if got := r.Effect == Allow; got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestEffects(t *testing.T) {
	allowAll := `{"Effect":"Allow","Action":"*","Resource":"*"}`
	denyIAM := `{"Effect":"Deny","Action":"iam:*","Resource":"*"}`
	denyCond := `{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`
	tests := []struct {
		name    string
		stmts   string
		action  string
		ctx     kv
		want    Effect
		matched []int
	}{
		{"allow", allowAll, "s3:GetObject", nil, Allow, []int{0}},
		{"no match", denyIAM, "s3:GetObject", nil, NoMatch, nil},
		{"explicit deny wins", allowAll + "," + denyIAM, "iam:CreateUser", nil, Deny, []int{0, 1}},
		{"deny before allow still wins", denyIAM + "," + allowAll, "iam:CreateUser", nil, Deny, []int{0, 1}},
		{"deny not matching", allowAll + "," + denyIAM, "s3:GetObject", nil, Allow, []int{0}},
		{"conditional deny applies", allowAll + "," + denyCond, "s3:GetObject", kv{"aws:SecureTransport": {"false"}}, Deny, []int{0, 1}},
		{"conditional deny skipped", allowAll + "," + denyCond, "s3:GetObject", kv{"aws:SecureTransport": {"true"}}, Allow, []int{0}},
		{"deny alone", denyIAM, "iam:DeleteUser", nil, Deny, []int{0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, `{"Version":"2012-10-17","Statement":[`+tc.stmts+`]}`, Identity)
			r := d.Evaluate(&Request{Action: tc.action, Resource: "arn:aws:s3:::b", Context: ctxOf(tc.ctx)})
			if r.Effect != tc.want || !equalInts(refs(r), tc.matched) {
				t.Errorf("got %v %v, want %v %v", r.Effect, refs(r), tc.want, tc.matched)
			}
		})
	}
}

func TestTrustAndSCP(t *testing.T) {
	trust := mustParse(t, `{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x1"}}},
	  {"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`, Trust)
	scp := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*"},{"Effect":"Deny","Action":"acm-pca:DeleteCertificateAuthority","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"111122223333"}}}]}`, SCP)
	tests := []struct {
		name string
		doc  *Document
		req  Request
		want Effect
	}{
		{"trust account with external id", trust, Request{Principal: pUser, Action: "sts:AssumeRole", Resource: roleARN, Context: ctxOf(kv{"sts:ExternalId": {"x1"}})}, Allow},
		{"trust account without external id", trust, Request{Principal: pUser, Action: "sts:AssumeRole", Resource: roleARN}, NoMatch},
		{"trust service", trust, Request{Principal: &Principal{Service: "ec2.amazonaws.com"}, Action: "sts:TagSession", Resource: roleARN}, Allow},
		{"trust other account", trust, Request{Principal: pOther, Action: "sts:AssumeRole", Resource: roleARN, Context: ctxOf(kv{"sts:ExternalId": {"x1"}})}, NoMatch},
		{"scp allow without resource", scp, Request{Action: "acm-pca:IssueCertificate", Resource: caARN}, Allow},
		{"scp deny other account", scp, Request{Action: "acm-pca:DeleteCertificateAuthority", Resource: caARN, Context: ctxOf(kv{"aws:PrincipalAccount": {"444455556666"}})}, Deny},
		{"scp management account exempt", scp, Request{Action: "acm-pca:DeleteCertificateAuthority", Resource: caARN, Context: ctxOf(kv{"aws:PrincipalAccount": {"111122223333"}})}, Allow},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if r := tc.doc.Evaluate(&tc.req); r.Effect != tc.want {
				t.Errorf("got %v, want %v (%+v)", r.Effect, tc.want, r)
			}
		})
	}
}

func TestEvaluateUncompiledDocument(t *testing.T) {
	d := &Document{Version: Version2012, Statements: []Statement{{
		Effect: Allow, Action: []string{"s3:Get*"}, HasAction: true, Resource: []string{"*"}, HasResource: true,
	}}}
	if r := d.Evaluate(&Request{Action: "s3:GetObject", Resource: "x"}); r.Effect != Allow {
		t.Errorf("hand-built document: got %v, want Allow", r.Effect)
	}
}
