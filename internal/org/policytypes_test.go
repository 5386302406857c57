package org

import (
	"strings"
	"testing"
)

func TestCheckContent(t *testing.T) {
	tests := []struct {
		name, typ, doc string
		kind           ErrorKind
		reason         string
	}{
		{"SCP allow", scpType, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, 0, ""},
		{"SCP with a Principal", scpType, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`, MalformedPolicyDocument, ""},
		{"RCP deny", rcpType, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}]}`, 0, ""},
		{"RCP deny with AWS *", rcpType, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:*","Resource":"*"}]}`, 0, ""},
		{"RCP allow", rcpType, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`, MalformedPolicyDocument, ""},
		{"RCP without Principal", rcpType, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`, MalformedPolicyDocument, ""},
		{"RCP naming an account", rcpType, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"*","Resource":"*"}]}`, MalformedPolicyDocument, ""},
		{"RCP with NotPrincipal", rcpType, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"*","Resource":"*"}]}`, MalformedPolicyDocument, ""},
		{"tag policy", "TAG_POLICY", `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"}}}}`, 0, ""},
		{"backup policy not JSON", "BACKUP_POLICY", `{"plans":`, MalformedPolicyDocument, ""},
		{"chatbot policy as a list", "CHATBOT_POLICY", `[]`, MalformedPolicyDocument, ""},
		{"AI opt-out over 2500", "AISERVICES_OPT_OUT_POLICY", `{"services":"` + strings.Repeat("x", 2500) + `"}`, ConstraintViolation, "POLICY_CONTENT_LIMIT_EXCEEDED"},
		{"SCP over 5120", scpType, `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("a", 5100) + `","Effect":"Deny","Action":"*","Resource":"*"}]}`, ConstraintViolation, "POLICY_CONTENT_LIMIT_EXCEEDED"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkContent(tc.typ, tc.doc)
			if KindOf(err) != tc.kind || (err == nil) != (tc.kind == 0) {
				t.Fatalf("checkContent = %v, want kind %d", err, tc.kind)
			}
			if e, ok := err.(*Error); ok && e.Reason != tc.reason {
				t.Errorf("Reason = %q, want %q", e.Reason, tc.reason)
			}
		})
	}
}

func TestContentSize(t *testing.T) {
	tests := []struct {
		doc  string
		want int
	}{
		{`{ "a" : 1 }`, 7},
		{"{\n\t\"a b\": \"c\\\" d\"\n}", 15},
		{`{}`, 2},
	}
	for _, tc := range tests {
		if got := contentSize(tc.doc); got != tc.want {
			t.Errorf("contentSize(%q) = %d, want %d", tc.doc, got, tc.want)
		}
	}
}

func TestEveryModelPolicyTypeHasLimits(t *testing.T) {
	if len(policyTypeNames) != 15 {
		t.Fatalf("%d policy types, want the model's 15", len(policyTypeNames))
	}
	for _, n := range policyTypeNames {
		if i := policyTypes[n]; i == nil || i.maxSize == 0 || i.maxPerTarget == 0 {
			t.Errorf("%s: %+v", n, i)
		}
	}
}

func FuzzCheckContent(f *testing.F) {
	f.Add(rcpType, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`)
	f.Add("TAG_POLICY", `{"tags":{}}`)
	f.Add(scpType, `{"Statement":[]}`)
	f.Fuzz(func(t *testing.T, typ, doc string) {
		if policyTypes[typ] == nil {
			typ = policyTypeNames[len(typ)%len(policyTypeNames)]
		}
		err := checkContent(typ, doc)
		if err != nil && KindOf(err) == 0 {
			t.Fatalf("untyped error %v", err)
		}
		if contentSize(doc) > len([]rune(doc)) {
			t.Fatal("size above the character count")
		}
	})
}
