package policy

import (
	"fmt"
	"testing"
)

func mustParse(tb testing.TB, doc string, kind Kind) *Document {
	tb.Helper()
	d, err := Parse([]byte(doc), kind)
	if err != nil {
		tb.Fatalf("Parse: %v\n%s", err, doc)
	}
	return d
}

func ctxOf(kv map[string][]string) *Context {
	c := NewContext()
	for k, v := range kv {
		c.Set(k, v...)
	}
	return c
}

// condDoc wraps a Condition block in an identity policy allowing everything.
func condDoc(version, cond string) string {
	v := ""
	if version != "" {
		v = fmt.Sprintf(`"Version":%q,`, version)
	}
	return fmt.Sprintf(`{%s"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":%s}}`, v, cond)
}

func refs(r Result) []int {
	var out []int
	for _, m := range r.Matched {
		out = append(out, m.Index)
	}
	return out
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
