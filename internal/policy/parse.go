package policy

import (
	"fmt"
	"strconv"
	"strings"
)

// Policy language versions.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Error renders `Statement[i] (Sid "x"): Field msg`; parts that are unknown
// are left out.
func (e *ParseError) Error() string {
	var b strings.Builder
	if e.Statement >= 0 {
		b.WriteString("Statement[")
		b.WriteString(strconv.Itoa(e.Statement))
		b.WriteString("]")
		if e.Sid != "" {
			b.WriteString(" (Sid ")
			b.WriteString(strconv.Quote(e.Sid))
			b.WriteString(")")
		}
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(" ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Kind returns the kind the document was parsed for.
func (d *Document) Kind() Kind { return d.kind }

// VariablesEnabled reports whether ${...} policy variables are interpreted
// (Version 2012-10-17); under 2008-10-17 or no Version they are literal text.
func (d *Document) VariablesEnabled() bool { return d.Version == Version2012 }

func (k Kind) String() string {
	switch k {
	case Identity:
		return "identity"
	case Resource:
		return "resource"
	case Trust:
		return "trust"
	case SCP:
		return "SCP"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Parse validates a JSON policy document for the given kind and compiles it.
func Parse(data []byte, kind Kind) (*Document, error) {
	if kind < Identity || kind > SCP {
		return nil, &ParseError{Statement: -1, Msg: "unknown policy kind " + kind.String()}
	}
	root, err := decodeTree(data)
	if err != nil {
		return nil, &ParseError{Statement: -1, Msg: "invalid JSON: " + err.Error()}
	}
	if root.kind != jObject {
		return nil, &ParseError{Statement: -1, Msg: "policy document must be a JSON object"}
	}
	if k, dup := dupKey(root); dup {
		return nil, &ParseError{Statement: -1, Field: k, Msg: "appears more than once"}
	}
	doc := &Document{kind: kind}
	var stmts *jval
	for i := range root.obj {
		m := &root.obj[i]
		switch m.key {
		case "Version":
			if m.val.kind != jString || (m.val.s != Version2012 && m.val.s != Version2008) {
				return nil, &ParseError{Statement: -1, Field: "Version", Msg: `must be "2012-10-17" or "2008-10-17"`}
			}
			doc.Version = m.val.s
		case "Id":
			if m.val.kind != jString {
				return nil, &ParseError{Statement: -1, Field: "Id", Msg: "must be a string"}
			}
			doc.ID = m.val.s
		case "Statement":
			stmts = &m.val
		default:
			return nil, &ParseError{Statement: -1, Field: m.key, Msg: "is not a valid top-level element"}
		}
	}
	if stmts == nil {
		return nil, &ParseError{Statement: -1, Field: "Statement", Msg: "is required"}
	}
	var list []jval
	switch stmts.kind {
	case jObject:
		list = []jval{*stmts}
	case jArray:
		list = stmts.arr
	default:
		return nil, &ParseError{Statement: -1, Field: "Statement", Msg: "must be an object or an array of objects"}
	}
	if len(list) == 0 {
		return nil, &ParseError{Statement: -1, Field: "Statement", Msg: "must not be empty"}
	}
	doc.Statements = make([]Statement, len(list))
	for i := range list {
		if err := parseStatement(&list[i], i, kind, &doc.Statements[i]); err != nil {
			return nil, err
		}
	}
	c, err := compile(doc)
	if err != nil {
		return nil, err
	}
	doc.compiled = c
	return doc, nil
}

// stmtErr builds errors for one statement.
type stmtErr struct {
	idx int
	sid string
}

func (s stmtErr) err(field, format string, args ...any) *ParseError {
	return &ParseError{Statement: s.idx, Sid: s.sid, Field: field, Msg: fmt.Sprintf(format, args...)}
}

func parseStatement(v *jval, idx int, kind Kind, st *Statement) error {
	se := stmtErr{idx: idx}
	if v.kind != jObject {
		return se.err("", "must be a JSON object")
	}
	// The Sid first, so that every later error can name it.
	for _, m := range v.obj {
		if m.key == "Sid" {
			if m.val.kind != jString {
				return se.err("Sid", "must be a string")
			}
			st.Sid = m.val.s
			se.sid = m.val.s
		}
	}
	if k, dup := dupKey(*v); dup {
		return se.err(k, "appears more than once")
	}
	hasEffect := false
	var err error
	for i := range v.obj {
		m := &v.obj[i]
		switch m.key {
		case "Sid":
		case "Effect":
			hasEffect = true
			switch {
			case m.val.kind == jString && m.val.s == "Allow":
				st.Effect = Allow
			case m.val.kind == jString && m.val.s == "Deny":
				st.Effect = Deny
			default:
				return se.err("Effect", `must be "Allow" or "Deny"`)
			}
		case "Principal", "NotPrincipal":
			ps, err := parsePrincipal(&m.val, m.key, se)
			if err != nil {
				return err
			}
			if m.key == "Principal" {
				st.Principal = ps
			} else {
				st.NotPrincipal = ps
			}
		case "Action":
			st.HasAction = true
			if st.Action, err = parseActions(&m.val, m.key, se); err != nil {
				return err
			}
		case "NotAction":
			st.HasNotAction = true
			if st.NotAction, err = parseActions(&m.val, m.key, se); err != nil {
				return err
			}
		case "Resource":
			st.HasResource = true
			if st.Resource, err = parseResources(&m.val, m.key, se); err != nil {
				return err
			}
		case "NotResource":
			st.HasNotResource = true
			if st.NotResource, err = parseResources(&m.val, m.key, se); err != nil {
				return err
			}
		case "Condition":
			if st.Condition, err = parseCondition(&m.val, se); err != nil {
				return err
			}
		default:
			return se.err(m.key, "is not a valid statement element")
		}
	}
	if !hasEffect {
		return se.err("Effect", "is required")
	}
	if st.HasAction == st.HasNotAction {
		return se.err("Action", "exactly one of Action and NotAction is required")
	}
	if st.HasResource && st.HasNotResource {
		return se.err("Resource", "Resource and NotResource cannot both be present")
	}
	hasRes := st.HasResource || st.HasNotResource
	if st.Principal != nil && st.NotPrincipal != nil {
		return se.err("Principal", "Principal and NotPrincipal cannot both be present")
	}
	hasPrin := st.Principal != nil || st.NotPrincipal != nil
	switch kind {
	case Identity, SCP:
		if hasPrin {
			f := "Principal"
			if st.NotPrincipal != nil {
				f = "NotPrincipal"
			}
			return se.err(f, "is not allowed in %s policies", kindName(kind))
		}
		if kind == Identity && !hasRes {
			return se.err("Resource", "is required")
		}
		if kind == SCP && st.Effect == Allow {
			if len(st.Condition) > 0 {
				return se.err("Condition", "is not allowed in an Allow statement of an SCP")
			}
			if st.HasNotAction {
				return se.err("NotAction", "is not allowed in an Allow statement of an SCP")
			}
		}
	case Resource:
		if !hasPrin {
			return se.err("Principal", "is required in resource policies")
		}
		if !hasRes {
			return se.err("Resource", "is required")
		}
	case Trust:
		if !hasPrin {
			return se.err("Principal", "is required in trust policies")
		}
		if hasRes {
			f := "Resource"
			if st.HasNotResource {
				f = "NotResource"
			}
			return se.err(f, "is not allowed in trust policies")
		}
		for _, a := range st.Action {
			if a != "*" && !strings.HasPrefix(strings.ToLower(a), "sts:") {
				return se.err("Action", "%q: trust policies may only grant sts actions", a)
			}
		}
	}
	return nil
}

func kindName(k Kind) string {
	if k == SCP {
		return "service control"
	}
	return k.String()
}

// stringList accepts a string or a non-empty array of strings.
func stringList(v *jval, field string, se stmtErr) ([]string, error) {
	switch v.kind {
	case jString:
		return []string{v.s}, nil
	case jArray:
		if len(v.arr) == 0 {
			return nil, se.err(field, "must not be empty")
		}
		out := make([]string, len(v.arr))
		for i, e := range v.arr {
			if e.kind != jString {
				return nil, se.err(field, "must be a string or an array of strings")
			}
			out[i] = e.s
		}
		return out, nil
	}
	return nil, se.err(field, "must be a string or an array of strings")
}

func parseActions(v *jval, field string, se stmtErr) ([]string, error) {
	list, err := stringList(v, field, se)
	if err != nil {
		return nil, err
	}
	for _, a := range list {
		if !validAction(a) {
			return nil, se.err(field, `%q is not a valid action (expected "service:Operation" or "*")`, a)
		}
	}
	return list, nil
}

// validAction accepts "*" or prefix:op with a lower-case-insensitive
// [a-z0-9-] prefix and an operation of letters, digits and wildcards.
func validAction(a string) bool {
	if a == "*" {
		return true
	}
	svc, op, ok := strings.Cut(a, ":")
	if !ok || svc == "" || op == "" {
		return false
	}
	for i := 0; i < len(svc); i++ {
		c := svc[i] | 0x20
		if !(c >= 'a' && c <= 'z' || svc[i] >= '0' && svc[i] <= '9' || svc[i] == '-') {
			return false
		}
	}
	for i := 0; i < len(op); i++ {
		c := op[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '*' || c == '?' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func parseResources(v *jval, field string, se stmtErr) ([]string, error) {
	list, err := stringList(v, field, se)
	if err != nil {
		return nil, err
	}
	for _, r := range list {
		if r != "*" && (!strings.HasPrefix(r, "arn:") || len(r) == len("arn:")) {
			return nil, se.err(field, `%q must be "*" or an ARN`, r)
		}
	}
	return list, nil
}
