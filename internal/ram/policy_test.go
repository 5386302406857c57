package ram

import (
	"encoding/json"
	"testing"
)

const testCA = "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/0b1f0000-0000-4000-8000-000000000000"

func TestBuildPolicy(t *testing.T) {
	def := defaultPermission().Statements
	revoke := permissionByARN(permissionARNPrefix + "AWSRAMRevokeCertificateCertificateAuthority").Statements
	reads := `["acm-pca:DescribeCertificateAuthority","acm-pca:GetCertificate","acm-pca:GetCertificateAuthorityCertificate","acm-pca:ListPermissions","acm-pca:ListTags"]`
	issue := `"acm-pca:IssueCertificate"`
	tmpl := `"acm-pca:TemplateArn":"arn:aws:acm-pca:::template/EndEntityCertificate/V1"`
	for _, tc := range []struct {
		name   string
		grants []shareGrant
		want   string
	}{
		{"nothing shared", nil, ""},
		{"share without associated principals", []shareGrant{{ShareARN: "s1", Statements: def}}, ""},
		{"account and user", []shareGrant{{ShareARN: "s1", Statements: def, Principals: []string{"222233334444", "arn:aws:iam::333344445555:user/dev"}}},
			`{"Statement":[` +
				`{"Action":` + reads + `,"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::222233334444:root","arn:aws:iam::333344445555:user/dev"]},"Resource":"` + testCA + `","Sid":"RamStatement1"},` +
				`{"Action":` + issue + `,"Condition":{"StringEquals":{` + tmpl + `}},"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::222233334444:root","arn:aws:iam::333344445555:user/dev"]},"Resource":"` + testCA + `","Sid":"RamStatement2"}` +
				`],"Version":"2012-10-17"}`},
		{"organization", []shareGrant{{ShareARN: "s1", Statements: def, Principals: []string{"arn:aws:organizations::111122223333:organization/o-abcdefghij"}}},
			`{"Statement":[` +
				`{"Action":` + reads + `,"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abcdefghij"}},"Effect":"Allow","Principal":"*","Resource":"` + testCA + `","Sid":"RamStatement1"},` +
				`{"Action":` + issue + `,"Condition":{"StringEquals":{` + tmpl + `,"aws:PrincipalOrgID":"o-abcdefghij"}},"Effect":"Allow","Principal":"*","Resource":"` + testCA + `","Sid":"RamStatement2"}` +
				`],"Version":"2012-10-17"}`},
		{"OU", []shareGrant{{ShareARN: "s1", Statements: def[1:], Principals: []string{"arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-abcdefgh"}}},
			`{"Statement":[` +
				`{"Action":` + issue + `,"Condition":{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"o-abcdefghij/*/ou-ab12-abcdefgh/*"},"StringEquals":{` + tmpl + `}},"Effect":"Allow","Principal":"*","Resource":"` + testCA + `","Sid":"RamStatement1"}` +
				`],"Version":"2012-10-17"}`},
		{"two shares in ARN order", []shareGrant{
			{ShareARN: "s2", Statements: revoke, Principals: []string{"222233334444"}},
			{ShareARN: "s1", Statements: def[:1], Principals: []string{"222233334444"}}},
			`{"Statement":[` +
				`{"Action":` + reads + `,"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::222233334444:root"]},"Resource":"` + testCA + `","Sid":"RamStatement1"},` +
				`{"Action":["acm-pca:DescribeCertificateAuthority","acm-pca:GetCertificate","acm-pca:GetCertificateAuthorityCertificate","acm-pca:ListPermissions","acm-pca:ListTags","acm-pca:RevokeCertificate"],"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::222233334444:root"]},"Resource":"` + testCA + `","Sid":"RamStatement2"}` +
				`],"Version":"2012-10-17"}`},
		{"member associated through the organization", []shareGrant{{ShareARN: "s1", Statements: def[:1], Principals: []string{"222233334444", "444455556666"},
			ViaOrg: map[string]string{"444455556666": "o-abcdefghij"}}},
			`{"Statement":[` +
				`{"Action":` + reads + `,"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::222233334444:root"]},"Resource":"` + testCA + `","Sid":"RamStatement1"},` +
				`{"Action":` + reads + `,"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abcdefghij"}},"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::444455556666:root"]},"Resource":"` + testCA + `","Sid":"RamStatement2"}` +
				`],"Version":"2012-10-17"}`},
		{"hand-written source kept", []shareGrant{{ShareARN: "s1", Source: `{"Version":"2012-10-17","Statement":{"Sid":"1","Effect":"Allow","Principal":{"AWS":"222233334444"},"Action":"acm-pca:GetCertificate","Resource":"*"}}`}},
			`{"Statement":[{"Action":"acm-pca:GetCertificate","Effect":"Allow","Principal":{"AWS":"222233334444"},"Resource":"*","Sid":"1"}],"Version":"2012-10-17"}`},
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
