package ram

import (
	"encoding/json"
	"strings"
	"testing"
)

const testCA = "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/0b1f0000-0000-4000-8000-000000000000"

func TestBuildPolicy(t *testing.T) {
	def := defaultPermission().Statements
	revoke := permissionByARN(permissionARNPrefix + "AWSRAMRevokeCertificateCertificateAuthority").Statements
	reads := `["acm-pca:DescribeCertificateAuthority","acm-pca:GetCertificate","acm-pca:GetCertificateAuthorityCertificate","acm-pca:ListPermissions","acm-pca:ListTags"]`
	issue := `"acm-pca:IssueCertificate"`
	tmpl := `"acm-pca:TemplateArn":"arn:aws:acm-pca:::template/EndEntityCertificate/V1"`
	st := func(n int, principal, action, cond string) string {
		out := `{"Sid":"RamStatement` + string(rune('0'+n)) + `","Effect":"Allow","Principal":` + principal + `,"Action":` + action + `,"Resource":"` + testCA + `"`
		if cond != "" {
			out += `,"Condition":` + cond
		}
		return out + "}"
	}
	doc := func(stmts ...string) string {
		return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	}
	twoAccounts := `{"AWS":["arn:aws:iam::222233334444:root","arn:aws:iam::333344445555:user/dev"]}`
	e := `{"AWS":["arn:aws:iam::222233334444:root"]}`
	for _, tc := range []struct {
		name   string
		grants []shareGrant
		want   string
	}{
		{"nothing shared", nil, ""},
		{"share without associated principals", []shareGrant{{ShareARN: "s1", Statements: def}}, ""},
		{"account and user", []shareGrant{{ShareARN: "s1", Statements: def, Principals: []string{"222233334444", "arn:aws:iam::333344445555:user/dev"}}},
			doc(st(1, twoAccounts, reads, ""), st(2, twoAccounts, issue, `{"StringEquals":{`+tmpl+`}}`))},
		{"organization", []shareGrant{{ShareARN: "s1", Statements: def, Principals: []string{"arn:aws:organizations::111122223333:organization/o-abcdefghij"}}},
			doc(st(1, `"*"`, reads, `{"StringEquals":{"aws:PrincipalOrgID":"o-abcdefghij"}}`),
				st(2, `"*"`, issue, `{"StringEquals":{`+tmpl+`,"aws:PrincipalOrgID":"o-abcdefghij"}}`))},
		{"OU", []shareGrant{{ShareARN: "s1", Statements: def[1:], Principals: []string{"arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-abcdefgh"}}},
			doc(st(1, `"*"`, issue, `{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"o-abcdefghij/*/ou-ab12-abcdefgh/*"},"StringEquals":{`+tmpl+`}}`))},
		{"two shares in ARN order", []shareGrant{
			{ShareARN: "s2", Statements: revoke, Principals: []string{"222233334444"}},
			{ShareARN: "s1", Statements: def[:1], Principals: []string{"222233334444"}}},
			doc(st(1, e, reads, ""), st(2, e, `["acm-pca:DescribeCertificateAuthority","acm-pca:GetCertificate","acm-pca:GetCertificateAuthorityCertificate","acm-pca:ListPermissions","acm-pca:ListTags","acm-pca:RevokeCertificate"]`, ""))},
		{"member associated through the organization", []shareGrant{{ShareARN: "s1", Statements: def[:1], Principals: []string{"222233334444", "444455556666"},
			ViaOrg: map[string]string{"444455556666": "o-abcdefghij"}}},
			doc(st(1, e, reads, ""), st(2, `{"AWS":["arn:aws:iam::444455556666:root"]}`, reads, `{"StringEquals":{"aws:PrincipalOrgID":"o-abcdefghij"}}`))},
		{"hand-written source kept", []shareGrant{{ShareARN: "s1", Source: `{"Version":"2012-10-17","Statement":{"Sid":"1","Effect":"Allow","Principal":{"AWS":"222233334444"},"Action":"acm-pca:GetCertificate","Resource":"*"}}`}},
			`{"Version":"2012-10-17","Statement":[{"Action":"acm-pca:GetCertificate","Effect":"Allow","Principal":{"AWS":"222233334444"},"Resource":"*","Sid":"1"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := buildPolicy(testCA, tc.grants)
			if got != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
			if got != "" && !json.Valid([]byte(got)) {
				t.Fatal("invalid JSON")
			}
		})
	}
}

func TestClassifyPrincipal(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind principalKind
		a, b string
	}{
		{"222233334444", principalAccount, "222233334444", ""},
		{"22223333444", principalInvalid, "", ""},
		{"o-abcdefghij", principalInvalid, "", ""},
		{"arn:aws:organizations::111122223333:organization/o-abcdefghij", principalOrg, "o-abcdefghij", ""},
		{"arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-abcdefgh", principalOU, "o-abcdefghij", "ou-ab12-abcdefgh"},
		{"arn:aws:organizations::111122223333:ou/o-abcdefghij", principalMalformedARN, "", ""},
		{"arn:aws:iam::222233334444:user/dev", principalUser, "222233334444", ""},
		{"arn:aws:iam::222233334444:role/path/to/issuer", principalRole, "222233334444", ""},
		{"arn:aws:iam::222233334444:group/g", principalMalformedARN, "", ""},
		{"arn:aws:iam:us-east-1:222233334444:user/dev", principalMalformedARN, "", ""},
		{"arn:aws:s3:::bucket", principalMalformedARN, "", ""},
		{"acm.amazonaws.com", principalInvalid, "", ""},
	} {
		k, a, b := classifyPrincipal(tc.in)
		if k != tc.kind || a != tc.a || b != tc.b {
			t.Errorf("%s: got %v %q %q, want %v %q %q", tc.in, k, a, b, tc.kind, tc.a, tc.b)
		}
	}
}

func TestPromoteMatching(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"AWS":"222233334444"},"Action":["acm-pca:DescribeCertificateAuthority","acm-pca:GetCertificate","acm-pca:GetCertificateAuthorityCertificate","acm-pca:ListPermissions","acm-pca:ListTags"],"Resource":"x"},` +
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333344445555:root"},"Action":"acm-pca:IssueCertificate","Resource":"x","Condition":{"StringEquals":{"acm-pca:TemplateArn":"arn:aws:acm-pca:::template/EndEntityCertificate/V1"}}}]}`
	got := docGrantSet(doc)
	want := grantSet(defaultPermission().Statements)
	if len(got) != len(want) {
		t.Fatalf("got %v want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("got %v want %v", got, want)
		}
	}
	if ps := policyPrincipals(doc); len(ps) != 2 || ps[0] != "222233334444" || ps[1] != "333344445555" {
		t.Fatalf("principals %v", ps)
	}
}
