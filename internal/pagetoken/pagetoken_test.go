package pagetoken

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

func TestSealOpen(t *testing.T) {
	s := New()
	scope := Scope("111122223333", "ListUsers", "/")
	tok := s.Seal(scope, "alice")
	tampered := []byte(tok)
	tampered[len(tampered)-1] ^= 1
	other := New()
	cases := []struct {
		name, scope, token string
		ok                 bool
	}{
		{"same scope", scope, tok, true},
		{"other account", Scope("444455556666", "ListUsers", "/"), tok, false},
		{"other operation", Scope("111122223333", "ListRoles", "/"), tok, false},
		{"other filter", Scope("111122223333", "ListUsers", "/x/"), tok, false},
		{"edited", scope, string(tampered), false},
		{"not base64", scope, "!!", false},
		{"too short", scope, "AAAA", false},
		{"empty", scope, "", false},
	}
	for _, c := range cases {
		after, ok := s.Open(c.scope, c.token)
		if ok != c.ok || ok && after != "alice" {
			t.Errorf("%s: Open = %q, %v; want ok=%v", c.name, after, ok, c.ok)
		}
	}
	if _, ok := other.Open(scope, tok); ok {
		t.Error("a token opened under another process's key")
	}
}

// Length prefixes keep ("ab","c") and ("a","bc") apart.
func TestScopeUnambiguous(t *testing.T) {
	if Scope("ab", "c") == Scope("a", "bc") {
		t.Fatal("scopes collide")
	}
}

type keys map[string][]byte

func (k keys) SharedKey(_ context.Context, name string) ([]byte, error) {
	if v, ok := k[name]; ok {
		return v, nil
	}
	return nil, errors.New("no key")
}

// A second process on the same database opens the first one's tokens; a
// database without the key leaves the process key in place.
func TestUseSharedKey(t *testing.T) {
	db := keys{"k": bytes.Repeat([]byte{7}, 32)}
	a, b := New(), New()
	a.UseSharedKey(db, "k")
	b.UseSharedKey(db, "k")
	if after, ok := b.Open("s", a.Seal("s", "x")); !ok || after != "x" {
		t.Fatal("servers of one database disagree on tokens")
	}
	c := New()
	before := c.Key()
	c.UseSharedKey(db, "missing")
	if !bytes.Equal(c.Key(), before) {
		t.Fatal("a failed lookup replaced the process key")
	}
}

func FuzzOpen(f *testing.F) {
	s := New()
	f.Add("s", s.Seal("s", "after"))
	f.Add("s", "")
	f.Fuzz(func(t *testing.T, scope, token string) {
		if after, ok := s.Open(scope, token); ok && s.Seal(scope, after) != token {
			t.Fatalf("accepted a token that is not the canonical seal: %q", token)
		}
	})
}

func TestOffsets(t *testing.T) {
	s := WithKey(bytes.Repeat([]byte{1}, 32))
	for _, off := range []int{0, 1, 500, maxOffset} {
		if got, ok := s.OpenOffset("q", s.SealOffset("q", off)); !ok || got != off {
			t.Errorf("offset %d came back as %d, %v", off, got, ok)
		}
	}
	for name, tok := range map[string]string{
		"other scope":  s.SealOffset("r", 5),
		"not a number": s.Seal("q", "five"),
		"negative":     s.Seal("q", "-1"),
		"too far":      s.Seal("q", "2147483649"),
		"other key":    New().SealOffset("q", 5),
		"garbage":      "AAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	} {
		if _, ok := s.OpenOffset("q", tok); ok {
			t.Errorf("%s: accepted", name)
		}
	}
}
