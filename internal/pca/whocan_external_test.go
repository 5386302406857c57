package pca

import (
	"strings"
	"testing"
)

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		fold, want bool
	}{
		{"acm-pca:IssueCertificate", "acm-pca:IssueCertificate", true, true},
		{"ACM-PCA:issue*", "acm-pca:IssueCertificate", true, true},
		{"acm-pca:*", "acm-pca:GetCertificate", true, true},
		{"*", "anything", false, true},
		{"acm-pca:Get?ertificate", "acm-pca:GetCertificate", true, true},
		{"acm-pca:Get*Certificate", "acm-pca:GetCertificateAuthorityCertificate", true, true},
		{"acm-pca:Get*Csr", "acm-pca:GetCertificate", true, false},
		{"acm-pca:Issue", "acm-pca:IssueCertificate", true, false},
		{"arn:aws:acm-pca:*:111122223333:certificate-authority/*", "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/x", false, true},
		{"ARN:aws:*", "arn:aws:x", false, false},
		{"", "", false, true},
		{"**", "", false, true},
	}
	for _, tc := range tests {
		if got := glob(tc.pattern, tc.s, tc.fold); got != tc.want {
			t.Errorf("glob(%q, %q, %v) = %v", tc.pattern, tc.s, tc.fold, got)
		}
	}
}

func TestExternalGrants(t *testing.T) {
	const owner = "111122223333"
	ca := "arn:aws:acm-pca:us-east-1:" + owner + ":certificate-authority/11111111-2222-4333-8444-555555555555"
	stmt := func(principal, action, cond string) string {
		s := `{"Effect":"Allow","Principal":` + principal + `,"Action":` + action + `,"Resource":"` + ca + `"`
		if cond != "" {
			s += `,"Condition":` + cond
		}
		return s + `}`
	}
	doc := func(stmts ...string) string {
		return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	}
	tests := []struct {
		name   string
		doc    string
		action string
		want   []string // Principal/PrincipalType/AccountId/index
	}{
		{"none", "", "acm-pca:IssueCertificate", nil},
		{"account", doc(stmt(`{"AWS":"222233334444"}`, `"acm-pca:IssueCertificate"`, "")), "acm-pca:IssueCertificate",
			[]string{"222233334444/Account/222233334444/0"}},
		{"other action", doc(stmt(`{"AWS":"222233334444"}`, `"acm-pca:IssueCertificate"`, "")), "acm-pca:GetCertificate", nil},
		{"own account skipped", doc(stmt(`{"AWS":["arn:aws:iam::`+owner+`:root","arn:aws:iam::222233334444:role/r"]}`, `"acm-pca:*"`, "")),
			"acm-pca:GetCertificate", []string{"arn:aws:iam::222233334444:role/r/IAMPrincipal/222233334444/0"}},
		{"organization", doc(stmt(`{"AWS":"222233334444"}`, `"acm-pca:GetCertificate"`, ""),
			stmt(`"*"`, `["acm-pca:IssueCertificate"]`, `{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}`)),
			"IssueCertificate", []string{"*/Anyone//1"}},
		{"service", doc(stmt(`{"Service":"acm.amazonaws.com"}`, `"acm-pca:IssueCertificate"`, `{"StringEquals":{"aws:SourceAccount":"`+owner+`"}}`)),
			"acm-pca:IssueCertificate", []string{"acm.amazonaws.com/Service//0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			action, err := normalizeAction(tc.action)
			if err != nil {
				t.Fatal(err)
			}
			got := externalGrants(tc.doc, ca, owner, ca, action)
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %v", got, tc.want)
			}
			for i, g := range got {
				key := g.Principal + "/" + g.PrincipalType + "/" + g.AccountId + "/" + string(rune('0'+g.Statement.Index))
				if key != tc.want[i] || g.Note == "" || g.Statement.Policy != ca {
					t.Errorf("grant %d = %s %+v, want %s", i, key, g, tc.want[i])
				}
			}
			if tc.name == "organization" && (len(got[0].Conditions) != 1 || got[0].Conditions[0].Key != "aws:PrincipalOrgID") {
				t.Errorf("conditions %+v", got[0].Conditions)
			}
		})
	}
}

// FuzzExternalGrants: any policy text and action pattern yields grants
// without panicking; a pattern without wildcards matches only itself.
func FuzzExternalGrants(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"222233334444"},"Action":"acm-pca:Issue*","Resource":"*"}]}`, "acm-pca:*ssue?ertificate")
	f.Add(`{"Statement":{"Effect":"Allow","Principal":"*","NotAction":"acm-pca:Get*","NotResource":"x"}}`, "**?*")
	f.Fuzz(func(t *testing.T, doc, pattern string) {
		for _, g := range externalGrants(doc, "p", "111122223333", "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/x", "acm-pca:IssueCertificate") {
			if g.Note == "" || g.PrincipalType == "" {
				t.Fatalf("grant without type or note: %+v", g)
			}
		}
		glob(pattern, doc, true)
		if !strings.ContainsAny(pattern, "*?") && glob(pattern, pattern+"x", false) {
			t.Fatalf("literal %q matched a longer string", pattern)
		}
		if !glob(pattern, pattern, false) && !strings.ContainsAny(pattern, "?") {
			t.Fatalf("%q does not match itself", pattern)
		}
	})
}
