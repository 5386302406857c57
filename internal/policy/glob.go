package policy

import (
	"strings"
	"unicode/utf8"
)

// glob is a compiled wildcard pattern: '*' matches any sequence, '?' one
// character. A '*' or '?' flagged in lit (produced by ${*} / ${?} or by a
// variable's value) is literal text.
type glob struct {
	pat  string
	lit  []bool // nil when no position is literal
	mode uint8
}

const (
	globExact   uint8 = iota // no active wildcard
	globAll                  // "*"
	globPrefix               // a single trailing '*'
	globGeneral              // anything else
)

func isWild(pat string, lit []bool, i int) bool {
	return (pat[i] == '*' || pat[i] == '?') && (lit == nil || !lit[i])
}

func newGlob(pat string, lit []bool) glob {
	g := glob{pat: pat, lit: lit}
	n := 0
	last := -1
	for i := 0; i < len(pat); i++ {
		if isWild(pat, lit, i) {
			n++
			last = i
		}
	}
	switch {
	case n == 0:
		g.mode = globExact
	case pat == "*":
		g.mode = globAll
	case n == 1 && last == len(pat)-1 && pat[last] == '*':
		g.mode = globPrefix
	default:
		g.mode = globGeneral
	}
	return g
}

// match reports whether s matches. With fold, ASCII letters of s are compared
// case-insensitively; the pattern must then already be lower-case.
func (g *glob) match(s string, fold bool) bool {
	switch g.mode {
	case globExact:
		if fold {
			return equalFoldLower(s, g.pat)
		}
		return s == g.pat
	case globAll:
		return true
	case globPrefix:
		p := g.pat[:len(g.pat)-1]
		if len(s) < len(p) {
			return false
		}
		if fold {
			return equalFoldLower(s[:len(p)], p)
		}
		return s[:len(p)] == p
	}
	return matchGlob(g.pat, g.lit, s, fold)
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFoldLower compares s to an already lower-case p, folding ASCII only.
func equalFoldLower(s, p string) bool {
	if len(s) != len(p) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if lowerByte(s[i]) != p[i] {
			return false
		}
	}
	return true
}

func runeLen(s string) int {
	if s[0] < utf8.RuneSelf {
		return 1
	}
	_, n := utf8.DecodeRuneInString(s)
	return n
}

// matchGlob is the classic linear wildcard matcher with one backtrack point.
func matchGlob(p string, lit []bool, s string, fold bool) bool {
	px, sx := 0, 0
	nextPx, nextSx := 0, -1
	for px < len(p) || sx < len(s) {
		if px < len(p) {
			c := p[px]
			wild := (c == '*' || c == '?') && (lit == nil || !lit[px])
			switch {
			case wild && c == '*':
				nextPx = px
				if sx < len(s) {
					nextSx = sx + runeLen(s[sx:])
				} else {
					nextSx = sx + 1
				}
				px++
				continue
			case wild: // '?'
				if sx < len(s) {
					px++
					sx += runeLen(s[sx:])
					continue
				}
			default:
				if sx < len(s) {
					sc := s[sx]
					if fold {
						sc = lowerByte(sc)
					}
					if sc == c {
						px++
						sx++
						continue
					}
				}
			}
		}
		if 0 <= nextSx && nextSx <= len(s) {
			px = nextPx
			sx = nextSx
			continue
		}
		return false
	}
	return true
}

// Policy variables.

const (
	tText uint8 = iota // pattern text, wildcards active
	tLit               // literal text from ${*}, ${?}, ${$}
	tVar               // ${key} or ${key, 'default'}
)

type tpart struct {
	kind   uint8
	text   string // tText/tLit; for tVar the key as written
	key    string // tVar: lower-cased key for Context lookups
	def    string
	hasDef bool
}

// parseTemplate splits s into text, escapes and variables. Text that does not
// form a valid variable stays literal pattern text.
func parseTemplate(s string) (parts []tpart, hasVar bool) {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i+2:], '}')
		if j < 0 {
			break
		}
		inner := s[i+2 : i+2+j]
		var p tpart
		ok := true
		switch inner {
		case "*", "?", "$":
			p = tpart{kind: tLit, text: inner}
		default:
			p, ok = parseVar(inner)
		}
		if !ok {
			// Keep "${" as text and look further on.
			parts = appendText(parts, s[:i+2])
			s = s[i+2:]
			continue
		}
		parts = appendText(parts, s[:i])
		parts = append(parts, p)
		if p.kind == tVar {
			hasVar = true
		}
		s = s[i+3+j:]
	}
	parts = appendText(parts, s)
	return parts, hasVar
}

func appendText(parts []tpart, s string) []tpart {
	if s == "" {
		return parts
	}
	if n := len(parts); n > 0 && parts[n-1].kind == tText {
		parts[n-1].text += s
		return parts
	}
	return append(parts, tpart{kind: tText, text: s})
}

// parseVar parses "key" or "key, 'default'".
func parseVar(inner string) (tpart, bool) {
	key, rest, hasDef := strings.Cut(inner, ",")
	key = strings.TrimSpace(key)
	if key == "" || strings.ContainsAny(key, " \t'${") {
		return tpart{}, false
	}
	p := tpart{kind: tVar, text: key, key: strings.ToLower(key)}
	if hasDef {
		rest = strings.TrimSpace(rest)
		if len(rest) < 2 || rest[0] != '\'' || rest[len(rest)-1] != '\'' || strings.Contains(rest[1:len(rest)-1], "'") {
			return tpart{}, false
		}
		p.def = rest[1 : len(rest)-1]
		p.hasDef = true
	}
	return p, true
}

// resolve renders parts into a pattern and its literal mask, substituting
// variables from ctx (first value, else the default). ok is false when a
// variable has neither.
func resolve(parts []tpart, ctx *Context) (pat string, lit []bool, ok bool) {
	var b strings.Builder
	var mask []bool
	mark := func(s string, literal bool) {
		if literal && strings.ContainsAny(s, "*?") {
			if mask == nil {
				mask = make([]bool, b.Len(), b.Len()+len(s))
			}
		}
		b.WriteString(s)
		if mask != nil {
			for i := 0; i < len(s); i++ {
				mask = append(mask, literal && (s[i] == '*' || s[i] == '?'))
			}
		}
	}
	for _, p := range parts {
		switch p.kind {
		case tText:
			mark(p.text, false)
		case tLit:
			mark(p.text, true)
		case tVar:
			vals, _ := ctx.Get(p.key)
			switch {
			case len(vals) > 0:
				mark(vals[0], true)
			case p.hasDef:
				mark(p.def, true)
			default:
				return "", nil, false
			}
		}
	}
	return b.String(), mask, true
}

// pattern is a Resource entry or condition value that may hold variables.
type pattern struct {
	g     glob    // the compiled pattern when there are no variables
	parts []tpart // non-nil when variables must be resolved per request
}

func newPattern(s string, vars bool) pattern {
	if !vars || !strings.Contains(s, "${") {
		return pattern{g: newGlob(s, nil)}
	}
	parts, hasVar := parseTemplate(s)
	if hasVar {
		return pattern{parts: parts}
	}
	pat, lit, _ := resolve(parts, nil)
	return pattern{g: newGlob(pat, lit)}
}

// get returns the glob to use for this request.
func (p *pattern) get(ctx *Context) (glob, bool) {
	if p.parts == nil {
		return p.g, true
	}
	pat, lit, ok := resolve(p.parts, ctx)
	if !ok {
		return glob{}, false
	}
	return newGlob(pat, lit), true
}
