package policy

import (
	"fmt"
	"sync"
	"testing"
)

func TestGlob(t *testing.T) {
	tests := []struct {
		name string
		pat  string
		s    string
		fold bool
		want bool
	}{
		{"exact", "abc", "abc", false, true},
		{"exact differs", "abc", "abd", false, false},
		{"empty pattern empty subject", "", "", false, true},
		{"star matches empty", "*", "", false, true},
		{"prefix", "ab*", "abzzz", false, true},
		{"prefix too short", "ab*", "a", false, false},
		{"suffix", "*yz", "xxyz", false, true},
		{"backtracking", "a*b*c", "aXbYbZc", false, true},
		{"backtracking fails", "a*b*c", "aXbYbZ", false, false},
		{"question at end", "ab?", "ab", false, false},
		{"question multibyte rune", "a?c", "aéc", false, true},
		{"star then question", "*?", "é", false, true},
		{"double star", "a**b", "ab", false, true},
		{"fold lowers subject", "acm-pca:get*", "ACM-PCA:GetCertificate", true, true},
		{"no fold is case-sensitive", "acm-pca:get*", "ACM-PCA:GetCertificate", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := newGlob(tc.pat, nil)
			if got := g.match(tc.s, tc.fold); got != tc.want {
				t.Errorf("glob %q on %q: got %v, want %v", tc.pat, tc.s, got, tc.want)
			}
		})
	}
}

func TestParseTemplate(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		hasVar  bool
		ctx     kv
		wantPat string
		wantOK  bool
	}{
		{"plain", "abc", false, nil, "abc", true},
		{"variable", "a/${aws:username}/b", true, kv{"aws:username": {"u"}}, "a/u/b", true},
		{"missing", "a/${aws:username}", true, nil, "", false},
		{"default", "${k, 'd'}", true, nil, "d", true},
		{"empty default", "${k, ''}", true, nil, "", true},
		{"bad default stays text", "${k, d}", false, nil, "${k, d}", true},
		{"empty braces stay text", "${}", false, nil, "${}", true},
		{"escapes", "${*}${?}${$}", false, nil, "*?$", true},
		{"two variables", "${a}-${b}", true, kv{"a": {"1"}, "b": {"2"}}, "1-2", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parts, hasVar := parseTemplate(tc.in)
			if hasVar != tc.hasVar {
				t.Errorf("hasVar %v, want %v", hasVar, tc.hasVar)
			}
			pat, _, ok := resolve(parts, ctxOf(tc.ctx))
			if ok != tc.wantOK || pat != tc.wantPat {
				t.Errorf("resolve = %q %v, want %q %v", pat, ok, tc.wantPat, tc.wantOK)
			}
		})
	}
}

func TestCache(t *testing.T) {
	c := NewCache(2)
	docs := []string{
		`{"Statement":{"Effect":"Allow","Action":"a:A","Resource":"*"}}`,
		`{"Statement":{"Effect":"Allow","Action":"a:B","Resource":"*"}}`,
		`{"Statement":{"Effect":"Allow","Action":"a:C","Resource":"*"}}`,
	}
	d1, err := c.Parse([]byte(docs[0]), Identity)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := c.Parse([]byte(docs[0]), Identity); again != d1 {
		t.Error("same text not served from the cache")
	}
	if _, err := c.Parse([]byte(docs[0]), Resource); err == nil {
		t.Error("kind is part of the key: identity text must fail as a resource policy")
	}
	if c.Len() != 2 {
		t.Errorf("Len = %d, want 2", c.Len())
	}
	_, _ = c.Parse([]byte(docs[1]), Identity)
	_, _ = c.Parse([]byte(docs[2]), Identity)
	if c.Len() != 2 {
		t.Errorf("Len = %d after eviction, want 2", c.Len())
	}
	if again, _ := c.Parse([]byte(docs[0]), Identity); again == d1 {
		t.Error("oldest entry was not evicted")
	}
	_, e1 := c.Parse([]byte(`{`), Identity)
	_, e2 := c.Parse([]byte(`{`), Identity)
	if e1 == nil || e1 != e2 {
		t.Errorf("errors are cached: %v %v", e1, e2)
	}

	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				doc := fmt.Sprintf(`{"Statement":{"Effect":"Allow","Action":"a:X%d","Resource":"*"}}`, (i+j)%5)
				if _, err := c.Parse([]byte(doc), Identity); err != nil {
					t.Error(err)
					return
				}
			}
		}(i)
	}
	wg.Wait()
}
