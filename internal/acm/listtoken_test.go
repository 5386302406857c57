package acm

import (
	"encoding/base64"
	"testing"
)

func TestListToken(t *testing.T) {
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, c := range []struct {
		tok string
		at  int64
		id  string
		ok  bool
	}{
		{listToken(1733472000000000000, "0f6e-id"), 1733472000000000000, "0f6e-id", true},
		{listToken(-5, "x:y"), -5, "x:y", true},
		{b64("acm:10"), 0, "", false}, // the old offset token
		{b64("acm1:12"), 0, "", false},
		{b64("acm1:12:"), 0, "", false},
		{b64("acm1:x:id"), 0, "", false},
		{"acm1:1:id", 0, "", false}, // not base64
		{"", 0, "", false},
	} {
		at, id, ok := parseListToken(c.tok)
		if ok != c.ok || at != c.at || id != c.id {
			t.Errorf("%q: %d %q %v, want %d %q %v", c.tok, at, id, ok, c.at, c.id, c.ok)
		}
	}
}

func FuzzParseListToken(f *testing.F) {
	f.Add(listToken(42, "id"))
	f.Add("YWNtOjEw")
	f.Fuzz(func(t *testing.T, tok string) {
		at, id, ok := parseListToken(tok)
		if !ok {
			return
		}
		if id == "" {
			t.Fatal("empty id accepted")
		}
		if a2, i2, ok2 := parseListToken(listToken(at, id)); !ok2 || a2 != at || i2 != id {
			t.Fatalf("round trip of %d %q: %d %q %v", at, id, a2, i2, ok2)
		}
	})
}
