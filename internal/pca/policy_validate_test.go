package pca

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// docCA is the CA ARN of the AWS documentation's examples (testdata).
const docCA = "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11223344-1234-1122-2233-112233445566"

// stmt renders a one-statement policy on docCA; fields are raw JSON members.
func stmt(fields string) string {
	return `{"Version":"2012-10-17","Statement":[{` + fields + `}]}`
}

const (
	allowB   = `"Effect":"Allow","Principal":{"AWS":"222233334444"},`
	onCA     = `"Resource":"` + docCA + `"`
	orgCond  = `,"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4z5"}}`
	pathCond = `,"Condition":{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":["o-a1b2c3d4z5/r-ab12/ou-ab12-11111111/*"]}}`
)

func TestValidatePolicy(t *testing.T) {
	readDoc := func(name string) string {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	tests := []struct {
		name string
		doc  string
		want string // "" accepted; else a substring of the InvalidPolicy message
	}{
		{"canonical account share verbatim (duplicate Sids)", readDoc("policy_account_share.json"), ""},
		{"canonical organization share verbatim", readDoc("policy_org_share.json"), ""},
		{"statement as an object", `{"Version":"2012-10-17","Statement":{` + allowB + `"Action":"acm-pca:GetCertificate",` + onCA + `}}`, ""},
		{"version 2008", `{"Version":"2008-10-17","Statement":[{` + allowB + `"Action":"acm-pca:GetCertificate",` + onCA + `}]}`, ""},
		{"root ARN principal", stmt(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222233334444:root"},"Action":"acm-pca:IssueCertificate",` + onCA), ""},
		{"user ARN principal", stmt(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222233334444:user/dev/alice"},"Action":"acm-pca:IssueCertificate",` + onCA), ""},
		{"role ARN principal", stmt(`"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::222233334444:role/issuer","333344445555"]},"Action":"acm-pca:IssueCertificate",` + onCA), ""},
		{"resource wildcard matching the CA", stmt(allowB + `"Action":"acm-pca:IssueCertificate","Resource":"arn:aws:acm-pca:*:111122223333:certificate-authority/*"`), ""},
		{"resource star", stmt(allowB + `"Action":"acm-pca:IssueCertificate","Resource":"*"`), ""},
		{"wildcard expanding into shareable actions only", stmt(allowB + `"Action":["acm-pca:Issue*","acm-pca:Revoke*","ACM-PCA:listtags"],` + onCA), ""},
		{"star principal with org ID", stmt(`"Effect":"Allow","Principal":"*","Action":"acm-pca:IssueCertificate",` + onCA + orgCond), ""},
		{"AWS star principal with OU path", stmt(`"Effect":"Allow","Principal":{"AWS":"*"},"Action":"acm-pca:IssueCertificate",` + onCA + pathCond), ""},
		{"deny of a management action", stmt(`"Effect":"Deny","Principal":{"AWS":"222233334444"},"Action":"acm-pca:*",` + onCA), ""},
		{"deny star principal unconditioned", stmt(`"Effect":"Deny","Principal":"*","Action":"acm-pca:RevokeCertificate",` + onCA), ""},
		{"deny with NotAction and NotPrincipal", stmt(`"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"NotAction":"acm-pca:GetCertificate",` + onCA), ""},
		{"NotResource not excluding the CA", stmt(allowB + `"Action":"acm-pca:GetCertificate","NotResource":"arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/other"`), ""},

		{"not JSON", `{"Version":`, "invalid JSON"},
		{"empty", ``, "between 1 and 81920"},
		{"too long", stmt(allowB+`"Action":"acm-pca:GetCertificate",`+onCA) + strings.Repeat(" ", maxPolicyChars), "between 1 and 81920"},
		{"outside Latin-1", stmt(allowB + `"Sid":"€","Action":"acm-pca:GetCertificate",` + onCA), "outside Latin-1"},
		{"control character", stmt(allowB+`"Action":"acm-pca:GetCertificate",`+onCA) + "\x01", "outside Latin-1"},
		{"bad version", `{"Version":"2020-01-01","Statement":[{` + allowB + `"Action":"acm-pca:GetCertificate",` + onCA + `}]}`, "Version"},
		{"no principal", stmt(`"Effect":"Allow","Action":"acm-pca:GetCertificate",` + onCA), "Principal"},
		{"no resource", stmt(allowB + `"Action":"acm-pca:GetCertificate"`), "Resource"},
		{"non-shareable action", stmt(allowB + `"Action":"acm-pca:UpdateCertificateAuthority",` + onCA), `"acm-pca:UpdateCertificateAuthority" cannot be granted`},
		{"PutPolicy granted", stmt(allowB + `"Action":["acm-pca:GetCertificate","acm-pca:PutPolicy"],` + onCA), `"acm-pca:PutPolicy" cannot be granted`},
		{"wildcard reaching the CSR", stmt(allowB + `"Action":"acm-pca:Get*",` + onCA), "also matches acm-pca:GetCertificateAuthorityCsr"},
		{"acm-pca star", stmt(allowB + `"Action":"acm-pca:*",` + onCA), "cannot be granted"},
		{"star action", stmt(allowB + `"Action":"*",` + onCA), "cannot be granted"},
		{"other service", stmt(allowB + `"Action":"s3:GetObject",` + onCA), "matches no acm-pca action"},
		{"other service in a deny", stmt(`"Effect":"Deny","Principal":"*","Action":"s3:*",` + onCA), "matches no acm-pca action"},
		{"NotAction in an allow", stmt(allowB + `"NotAction":"acm-pca:DeleteCertificateAuthority",` + onCA), "NotAction is not allowed"},
		{"another CA", stmt(allowB + `"Action":"acm-pca:IssueCertificate","Resource":"arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/99999999-1234-1122-2233-112233445566"`), "does not match this certificate authority"},
		{"certificate resource", stmt(allowB + `"Action":"acm-pca:GetCertificate","Resource":"` + docCA + `/certificate/*"`), "does not match this certificate authority"},
		{"NotResource excluding the CA", stmt(allowB + `"Action":"acm-pca:GetCertificate","NotResource":"*"`), "excludes this certificate authority"},
		{"service principal", stmt(`"Effect":"Allow","Principal":{"Service":"acm.amazonaws.com"},"Action":"acm-pca:IssueCertificate",` + onCA), "CreatePermission"},
		{"federated principal", stmt(`"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"acm-pca:IssueCertificate",` + onCA), "only AWS principals"},
		{"session principal", stmt(`"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::222233334444:assumed-role/r/s"},"Action":"acm-pca:IssueCertificate",` + onCA), "is not an account ID"},
		{"partial wildcard principal", stmt(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222233334444:user/*"},"Action":"acm-pca:IssueCertificate",` + onCA), "not a valid principal"},
		{"star principal without condition", stmt(`"Effect":"Allow","Principal":"*","Action":"acm-pca:IssueCertificate",` + onCA), `Principal "*" requires`},
		{"star principal with a template condition only", stmt(`"Effect":"Allow","Principal":"*","Action":"acm-pca:IssueCertificate",` + onCA +
			`,"Condition":{"StringEquals":{"acm-pca:TemplateArn":"arn:aws:acm-pca:::template/EndEntityCertificate/V1"}}`), `Principal "*" requires`},
		{"star principal with a negated org condition", stmt(`"Effect":"Allow","Principal":"*","Action":"acm-pca:IssueCertificate",` + onCA +
			`,"Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4z5"}}`), `Principal "*" requires`},
		{"star principal with IfExists", stmt(`"Effect":"Allow","Principal":"*","Action":"acm-pca:IssueCertificate",` + onCA +
			`,"Condition":{"StringEqualsIfExists":{"aws:PrincipalOrgID":"o-a1b2c3d4z5"}}`), `Principal "*" requires`},
		{"star principal with any org", stmt(`"Effect":"Allow","Principal":"*","Action":"acm-pca:IssueCertificate",` + onCA +
			`,"Condition":{"StringLike":{"aws:PrincipalOrgID":"o-*"}}`), `Principal "*" requires`},
		{"NotPrincipal in an allow", stmt(`"Effect":"Allow","NotPrincipal":{"AWS":"222233334444"},"Action":"acm-pca:IssueCertificate",` + onCA), "NotPrincipal is not allowed"},
		{"unknown condition operator", stmt(allowB + `"Action":"acm-pca:IssueCertificate",` + onCA + `,"Condition":{"StringSortOf":{"aws:PrincipalOrgID":"o-x"}}`), "not a valid condition operator"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := validatePolicy(tc.doc, docCA)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidPolicy) {
				t.Fatalf("got %v, want InvalidPolicy containing %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("message %q does not contain %q", err.Error(), tc.want)
			}
		})
	}
}

// The message names the offending statement by index and Sid.
func TestValidatePolicyNamesStatement(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"ok",` + allowB + `"Action":"acm-pca:GetCertificate",` + onCA + `},` +
		`{"Sid":"Manage",` + allowB + `"Action":"acm-pca:DeleteCertificateAuthority",` + onCA + `}]}`
	_, err := validatePolicy(doc, docCA)
	if err == nil || !strings.Contains(err.Error(), `Statement[1] (Sid "Manage")`) {
		t.Fatalf("got %v, want the statement named", err)
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		fold, want bool
	}{
		{"*", "", false, true},
		{"a*c", "abbbc", false, true},
		{"a*c", "abbbd", false, false},
		{"a?c", "abc", false, true},
		{"a?c", "ac", false, false},
		{"*b*", "abc", false, true},
		{"ACM-PCA:Get*", "acm-pca:getpolicy", true, true},
		{"ACM-PCA:Get*", "acm-pca:getpolicy", false, false},
		{"a**", "a", false, true},
	}
	for _, tc := range tests {
		if got := glob(tc.pattern, tc.s, tc.fold); got != tc.want {
			t.Errorf("glob(%q, %q, %v) = %v, want %v", tc.pattern, tc.s, tc.fold, got, tc.want)
		}
	}
}
