package iam

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRewriteAWSPrincipals(t *testing.T) {
	upper := func(v string) (string, error) { return strings.ToUpper(v), nil }
	for _, tc := range []struct{ name, in, want string }{
		{"single statement, string",
			`{"Statement":{"Effect":"Allow","Principal":{"AWS":"a"},"Resource":"a"}}`,
			`{"Statement":{"Effect":"Allow","Principal":{"AWS":"A"},"Resource":"a"}}`},
		{"array, spacing kept, other members untouched",
			"{\"Version\":\"2012-10-17\",\n \"Statement\": [ {\"Principal\" : {\"AWS\" : [ \"x\" , \"y\" ], \"Service\":\"s\"},\n \"Condition\":{\"StringEquals\":{\"aws:PrincipalArn\":\"x\"}}},\n {\"NotPrincipal\":{\"AWS\":\"z\"}} ]}",
			"{\"Version\":\"2012-10-17\",\n \"Statement\": [ {\"Principal\" : {\"AWS\" : [ \"X\" , \"Y\" ], \"Service\":\"s\"},\n \"Condition\":{\"StringEquals\":{\"aws:PrincipalArn\":\"x\"}}},\n {\"NotPrincipal\":{\"AWS\":\"Z\"}} ]}"},
		{"wildcard principal", `{"Statement":[{"Principal":"*"}]}`, `{"Statement":[{"Principal":"*"}]}`},
		{"escaped value", `{"Statement":[{"Principal":{"AWS":"a\u002fb"}}]}`, `{"Statement":[{"Principal":{"AWS":"A/B"}}]}`},
		{"AWS elsewhere", `{"AWS":"a","Statement":[{"Sid":"AWS","Resource":{"AWS":"a"}}]}`, `{"AWS":"a","Statement":[{"Sid":"AWS","Resource":{"AWS":"a"}}]}`},
	} {
		got, err := rewriteAWSPrincipals(tc.in, upper)
		if err != nil || got != tc.want {
			t.Errorf("%s:\n got %s, %v\nwant %s", tc.name, got, err, tc.want)
		}
	}
}

// FuzzRewriteAWSPrincipals: rewriting never breaks a document: the
// identity leaves it byte for byte, any other mapping keeps it valid JSON.
func FuzzRewriteAWSPrincipals(f *testing.F) {
	f.Add(`{"Statement":[{"Principal":{"AWS":["a","b"]},"NotPrincipal":{"AWS":"c"}}]}`)
	f.Add(`{"Statement":{"Principal":{"AWS":"a\"b"}}}`)
	f.Add(`[1,{"a":[]},"x"]`)
	f.Fuzz(func(t *testing.T, doc string) {
		if !json.Valid([]byte(doc)) {
			return
		}
		same, err := rewriteAWSPrincipals(doc, func(v string) (string, error) { return v, nil })
		if err != nil || same != doc {
			t.Fatalf("identity rewrite = %q, %v", same, err)
		}
		out, err := rewriteAWSPrincipals(doc, func(v string) (string, error) { return v + "\"<x>", nil })
		if err != nil || !json.Valid([]byte(out)) {
			t.Fatalf("rewrite of %q = %q, %v", doc, out, err)
		}
	})
}
