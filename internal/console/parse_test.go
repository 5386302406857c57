package console

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "/console/",
		"/console/acm":            "/console/acm",
		"/console/pca/ca?arn=x":   "/console/pca/ca?arn=x",
		"https://evil.example/":   "/console/",
		"//evil.example/console/": "/console/",
		"/console\\@evil":         "/console/",
		"/consolex":               "/console/",
		"/console/\\evil.example": "/console/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseTags(t *testing.T) {
	got := parseTags("team=pki\n\n env = prod \nflag\n a=b=c")
	want := [][2]string{{"team", "pki"}, {"env", "prod"}, {"flag", ""}, {"a", "b=c"}}
	if len(got) != len(want) {
		t.Fatalf("%q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("tag %d: %q, want %q", i, got[i], want[i])
		}
	}
}

func TestSameOrigin(t *testing.T) {
	for _, c := range []struct {
		origin string
		ok     bool
	}{{"", true}, {"http://example.com", true}, {"https://example.com", true}, {"http://evil.example", false}, {"null", false}, {"http://example.com.evil", false}} {
		r := httptest.NewRequest("POST", "http://example.com/console/x", nil)
		if c.origin != "" {
			r.Header.Set("Origin", c.origin)
		}
		if got := sameOrigin(r); got != c.ok {
			t.Errorf("Origin %q: %v", c.origin, got)
		}
	}
}

// FuzzSafeNext: whatever a sign-in form says, the redirect stays inside
// the console on this host.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/console/acm", "//evil", "/console/../x", "https://x/console/", "/console/\\x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if !strings.HasPrefix(got, "/console/") || strings.HasPrefix(got, "//") || strings.Contains(got, "\\") {
			t.Fatalf("safeNext(%q) = %q", next, got)
		}
	})
}

// FuzzParseTags: every non-blank line is one tag, keys and values trimmed.
func FuzzParseTags(f *testing.F) {
	f.Add("a=b\nc=d")
	f.Add(" =\n\n=x=y")
	f.Fuzz(func(t *testing.T, text string) {
		tags := parseTags(text)
		lines := 0
		for _, l := range strings.Split(text, "\n") {
			if strings.TrimSpace(l) != "" {
				lines++
			}
		}
		if len(tags) != lines {
			t.Fatalf("%d tags from %d lines", len(tags), lines)
		}
		for _, tg := range tags {
			if tg[0] != strings.TrimSpace(tg[0]) || tg[1] != strings.TrimSpace(tg[1]) {
				t.Fatalf("untrimmed %q", tg)
			}
		}
	})
}
