package policy

import "unicode/utf8"

// MarshalJSON renders the document canonically: Version and Id when set, the
// Statement array, statement elements in a fixed order, single values as
// strings and longer lists as arrays, condition operators in the order they
// first appear. Parse(MarshalJSON(d)) yields an equivalent document.
func (d *Document) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 256)
	b = append(b, '{')
	n := 0
	field := func(name string) { b = appendKey(b, &n, name) }
	if d.Version != "" {
		field("Version")
		b = appendString(b, d.Version)
	}
	if d.ID != "" {
		field("Id")
		b = appendString(b, d.ID)
	}
	field("Statement")
	b = append(b, '[')
	for i := range d.Statements {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendStatement(b, &d.Statements[i])
	}
	b = append(b, "]}"...)
	return b, nil
}

// appendKey writes an object member's key, preceded by a comma unless it is
// the first (*n counts the members written).
func appendKey(b []byte, n *int, name string) []byte {
	if *n > 0 {
		b = append(b, ',')
	}
	*n++
	b = appendString(b, name)
	return append(b, ':')
}

func appendStatement(b []byte, st *Statement) []byte {
	b = append(b, '{')
	n := 0
	field := func(name string) { b = appendKey(b, &n, name) }
	if st.Sid != "" {
		field("Sid")
		b = appendString(b, st.Sid)
	}
	field("Effect")
	b = appendString(b, st.Effect.String())
	if st.Principal != nil {
		field("Principal")
		b = appendPrincipal(b, st.Principal)
	}
	if st.NotPrincipal != nil {
		field("NotPrincipal")
		b = appendPrincipal(b, st.NotPrincipal)
	}
	if st.HasAction {
		field("Action")
		b = appendList(b, st.Action)
	}
	if st.HasNotAction {
		field("NotAction")
		b = appendList(b, st.NotAction)
	}
	if st.HasResource {
		field("Resource")
		b = appendList(b, st.Resource)
	}
	if st.HasNotResource {
		field("NotResource")
		b = appendList(b, st.NotResource)
	}
	if len(st.Condition) > 0 {
		field("Condition")
		b = appendConditions(b, st.Condition)
	}
	return append(b, '}')
}

func appendPrincipal(b []byte, ps *PrincipalSet) []byte {
	if ps.Wildcard && len(ps.AWS) == 0 && len(ps.Service) == 0 && len(ps.Federated) == 0 && len(ps.CanonicalUser) == 0 {
		return appendString(b, "*")
	}
	aws := ps.AWS
	if ps.Wildcard && !contains(aws, "*") {
		aws = append([]string{"*"}, aws...)
	}
	b = append(b, '{')
	sep := false
	for _, e := range []struct {
		name string
		list []string
	}{{"AWS", aws}, {"Service", ps.Service}, {"Federated", ps.Federated}, {"CanonicalUser", ps.CanonicalUser}} {
		if len(e.list) == 0 {
			continue
		}
		if sep {
			b = append(b, ',')
		}
		sep = true
		b = appendString(b, e.name)
		b = append(b, ':')
		b = appendList(b, e.list)
	}
	return append(b, '}')
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// appendConditions groups the flat operator/key list back into objects.
func appendConditions(b []byte, conds []Condition) []byte {
	b = append(b, '{')
	done := make([]bool, len(conds))
	first := true
	for i := range conds {
		if done[i] {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		op := conds[i].Operator
		b = appendString(b, op)
		b = append(b, ":{"...)
		var keys []string
		for j := i; j < len(conds); j++ {
			if done[j] || conds[j].Operator != op {
				continue
			}
			done[j] = true
			// A repeated key under one operator (only possible in a
			// hand-built Document) keeps its first occurrence.
			if contains(keys, conds[j].Key) {
				continue
			}
			if len(keys) > 0 {
				b = append(b, ',')
			}
			keys = append(keys, conds[j].Key)
			b = appendString(b, conds[j].Key)
			b = append(b, ':')
			b = appendList(b, conds[j].Values)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendList(b []byte, list []string) []byte {
	if len(list) == 1 {
		return appendString(b, list[0])
	}
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

const hexDigits = "0123456789abcdef"

// appendString writes a JSON string, escaping quotes, backslashes, control
// characters and invalid UTF-8 (as U+FFFD, as the decoder would).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}

// String renders the canonical JSON.
func (d *Document) String() string {
	b, _ := d.MarshalJSON()
	return string(b)
}
