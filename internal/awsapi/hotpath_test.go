package awsapi

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// writeJSONString's fast path must write exactly what encoding/json does.
func FuzzWriteJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", benchPEM(3), "a\nb\n", "tab\there", `q"uote`, `back\slash`, "<html>&amp;", "a<b", "a>b", "a&b",
		"\u2028\u2029", "é", "\x00\x1f\x7f", "bad \xff utf-8", benchCA, "\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b bytes.Buffer
		b.WriteString("x")
		writeJSONString(&b, s)
		want, _ := json.Marshal(s)
		if got := b.String(); got != "x"+string(want) {
			t.Fatalf("writeJSONString(%q) = %s, encoding/json %s", s, got[1:], want)
		}
	})
}

// The pattern memo answers as the pattern does, also for values it does
// not keep and after it starts over.
func TestPatternMemo(t *testing.T) {
	re := regexp.MustCompile(`^(?:arn:[a-z]+)$`)
	var m patternMemo
	long := "arn:" + strings.Repeat("a", patternMemoLen)
	for round := range 2 {
		for i := range patternMemoMax + 10 {
			for _, s := range []string{"arn:abc", "arn:ABC", "x", long, "arn:" + strings.Repeat("b", i+1)} {
				if got, want := m.match(re, s), re.MatchString(s); got != want {
					t.Fatalf("round %d: match(%q) = %v, want %v", round, s, got, want)
				}
			}
		}
	}
	if len(m.ok) > patternMemoMax {
		t.Fatalf("memo holds %d values, bound %d", len(m.ok), patternMemoMax)
	}
	if _, kept := m.ok[long]; kept {
		t.Fatal("a value longer than the bound was kept")
	}
}
