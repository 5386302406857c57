package authz

import (
	"strings"
	"testing"

	"github.com/openpca/openpca/internal/policy"
)

func TestParseMemoByAddress(t *testing.T) {
	e := New(nil, nil, nil)
	const allow = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`
	const deny = `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:GetObject","Resource":"*" }}`
	cached := strings.Clone(allow)
	d1, _ := e.parse(cached, policy.Identity)
	d2, _ := e.parse(cached, policy.Identity) // second sighting: indexed by address
	if d1 != d2 || len(e.memo.byPtr) != 1 {
		t.Fatalf("same string: docs %p %p, %d address entries", d1, d2, len(e.memo.byPtr))
	}
	// Fresh copies (a policy read per request) hit by text, not by address.
	for range 10 {
		if d, _ := e.parse(strings.Clone(allow), policy.Identity); d != d1 {
			t.Fatal("copy of the text parsed again")
		}
	}
	if n := len(e.memo.byPtr); n != 1 {
		t.Fatalf("fresh copies added %d address entries", n-1)
	}
	// Another text of the same length is another document.
	if len(deny) != len(allow) {
		t.Fatal("fixture lengths differ")
	}
	dd, _ := e.parse(strings.Clone(deny), policy.Identity)
	if dd == d1 || dd.Statements[0].Effect != policy.Deny {
		t.Fatal("different text answered from the memo")
	}
	// The same text as another kind is another document.
	if dr, _ := e.parse(cached, policy.Resource); dr == d1 {
		t.Fatal("kind ignored")
	}
}
