package policy

import (
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

type baseOp uint8

const (
	opStringEquals baseOp = iota
	opStringEqualsIgnoreCase
	opStringLike
	opNumericEquals
	opNumericLessThan
	opNumericLessThanEquals
	opNumericGreaterThan
	opNumericGreaterThanEquals
	opDateEquals
	opDateLessThan
	opDateLessThanEquals
	opDateGreaterThan
	opDateGreaterThanEquals
	opBool
	opBinaryEquals
	opIPAddress
	opArnLike // ArnEquals and ArnLike both glob each ARN part
	opNull
)

type opInfo struct {
	base   baseOp
	negate bool
}

// operators maps every base operator name of §4.4 to its positive form.
var operators = map[string]opInfo{
	"StringEquals":              {opStringEquals, false},
	"StringNotEquals":           {opStringEquals, true},
	"StringEqualsIgnoreCase":    {opStringEqualsIgnoreCase, false},
	"StringNotEqualsIgnoreCase": {opStringEqualsIgnoreCase, true},
	"StringLike":                {opStringLike, false},
	"StringNotLike":             {opStringLike, true},
	"NumericEquals":             {opNumericEquals, false},
	"NumericNotEquals":          {opNumericEquals, true},
	"NumericLessThan":           {opNumericLessThan, false},
	"NumericLessThanEquals":     {opNumericLessThanEquals, false},
	"NumericGreaterThan":        {opNumericGreaterThan, false},
	"NumericGreaterThanEquals":  {opNumericGreaterThanEquals, false},
	"DateEquals":                {opDateEquals, false},
	"DateNotEquals":             {opDateEquals, true},
	"DateLessThan":              {opDateLessThan, false},
	"DateLessThanEquals":        {opDateLessThanEquals, false},
	"DateGreaterThan":           {opDateGreaterThan, false},
	"DateGreaterThanEquals":     {opDateGreaterThanEquals, false},
	"Bool":                      {opBool, false},
	"BinaryEquals":              {opBinaryEquals, false},
	"IpAddress":                 {opIPAddress, false},
	"NotIpAddress":              {opIPAddress, true},
	"ArnEquals":                 {opArnLike, false},
	"ArnLike":                   {opArnLike, false},
	"ArnNotEquals":              {opArnLike, true},
	"ArnNotLike":                {opArnLike, true},
	"Null":                      {opNull, false},
}

const (
	setNone uint8 = iota
	setAny
	setAll
)

type parsedOp struct {
	opInfo
	ifExists bool
	set      uint8
}

// parseOperator splits "ForAnyValue:StringLikeIfExists" into its parts.
func parseOperator(op string) (parsedOp, bool) {
	var p parsedOp
	name := op
	if r, ok := strings.CutPrefix(name, "ForAnyValue:"); ok {
		p.set, name = setAny, r
	} else if r, ok := strings.CutPrefix(name, "ForAllValues:"); ok {
		p.set, name = setAll, r
	}
	info, ok := operators[name]
	if !ok {
		if r, cut := strings.CutSuffix(name, "IfExists"); cut {
			info, ok = operators[r]
			p.ifExists = true
		}
	}
	if !ok || (info.base == opNull && (p.ifExists || p.set != setNone)) {
		return p, false
	}
	p.opInfo = info
	return p, true
}

// parseCondition reads the Condition element: operator → key → value(s).
func parseCondition(v *jval, se stmtErr) ([]Condition, error) {
	if v.kind != jObject {
		return nil, se.err("Condition", "must be an object")
	}
	if k, dup := dupKey(*v); dup {
		return nil, se.err("Condition."+k, "appears more than once")
	}
	var out []Condition
	for i := range v.obj {
		op := &v.obj[i]
		field := "Condition." + op.key
		if _, ok := parseOperator(op.key); !ok {
			return nil, se.err(field, "is not a valid condition operator")
		}
		if op.val.kind != jObject || len(op.val.obj) == 0 {
			return nil, se.err(field, "must be a non-empty object of condition keys")
		}
		if k, dup := dupKey(op.val); dup {
			return nil, se.err(field, "key %q appears more than once", k)
		}
		for j := range op.val.obj {
			kv := &op.val.obj[j]
			if kv.key == "" {
				return nil, se.err(field, "condition key must not be empty")
			}
			vals, err := conditionValues(&kv.val)
			if err != "" {
				return nil, se.err(field, "key %q: %s", kv.key, err)
			}
			out = append(out, Condition{Operator: op.key, Key: kv.key, Values: vals})
		}
	}
	return out, nil
}

func conditionValues(v *jval) ([]string, string) {
	scalar := func(e *jval) bool { return e.kind == jString || e.kind == jNumber || e.kind == jBool }
	if scalar(v) {
		return []string{v.s}, ""
	}
	if v.kind != jArray {
		return nil, "value must be a string, number, boolean or an array of them"
	}
	if len(v.arr) == 0 {
		return nil, "value list must not be empty"
	}
	out := make([]string, len(v.arr))
	for i := range v.arr {
		if !scalar(&v.arr[i]) {
			return nil, "value must be a string, number, boolean or an array of them"
		}
		out[i] = v.arr[i].s
	}
	return out, ""
}

// cval is one pre-parsed policy value.
type cval struct {
	pat pattern // string and ARN operators
	num float64
	t   time.Time
	pfx netip.Prefix
	b   bool   // Bool value; for Null: true means "key must be absent"
	s   string // BinaryEquals
}

// ccond is one compiled operator/key pair.
type ccond struct {
	op, key string // as written
	lkey    string // lower-cased for Context lookups
	parsedOp
	vals []cval
}

func compileCondition(c *Condition, vars bool, se stmtErr) (ccond, error) {
	po, ok := parseOperator(c.Operator)
	field := "Condition." + c.Operator
	if !ok {
		return ccond{}, se.err(field, "is not a valid condition operator")
	}
	cc := ccond{op: c.Operator, key: c.Key, lkey: strings.ToLower(c.Key), parsedOp: po, vals: make([]cval, len(c.Values))}
	if len(c.Values) == 0 {
		return ccond{}, se.err(field, "key %q: value list must not be empty", c.Key)
	}
	for i, s := range c.Values {
		v := &cc.vals[i]
		bad := false
		switch po.base {
		case opStringEquals, opStringEqualsIgnoreCase, opStringLike, opArnLike:
			v.pat = newPattern(s, vars)
		case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
			v.num, ok = parseNumber(s)
			bad = !ok
		case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
			v.t, ok = parseDate(s)
			bad = !ok
		case opBool, opNull:
			v.b, ok = parseBool(s)
			bad = !ok
		case opBinaryEquals:
			_, err := base64.StdEncoding.DecodeString(s)
			v.s, bad = s, err != nil
		case opIPAddress:
			v.pfx, ok = parseCIDR(s)
			bad = !ok
		}
		if bad {
			return ccond{}, se.err(field, "key %q: %q is not a valid value for this operator", c.Key, s)
		}
	}
	return cc, nil
}

func parseBool(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// parseNumber accepts decimal integers and decimals (with an optional
// exponent); ParseFloat's extras (hex, Inf, NaN, underscores) are refused.
func parseNumber(s string) (float64, bool) {
	digit := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E':
		default:
			return 0, false
		}
	}
	if !digit {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// dateLayouts are the ISO-8601 forms accepted besides epoch seconds; time.Parse
// accepts fractional seconds after the seconds field in each.
var dateLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02",
	"20060102T150405Z",
}

func parseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if epoch, ok := parseEpoch(s); ok {
		return epoch, true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseEpoch reads seconds since 1970, optionally with a fraction.
func parseEpoch(s string) (time.Time, bool) {
	i := 0
	if s[0] == '-' {
		i = 1
	}
	if i == len(s) {
		return time.Time{}, false
	}
	dot := -1
	for j := i; j < len(s); j++ {
		switch c := s[j]; {
		case c >= '0' && c <= '9':
		case c == '.' && dot < 0:
			dot = j
		default:
			return time.Time{}, false
		}
	}
	if dot < 0 {
		sec, err := strconv.ParseInt(s, 10, 64)
		return time.Unix(sec, 0).UTC(), err == nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f > 1e15 || f < -1e15 {
		return time.Time{}, false
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), true
}

// parseCIDR accepts a CIDR or a single address (a host prefix).
func parseCIDR(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			if !p.IsValid() {
				return netip.Prefix{}, false
			}
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

// eval reports whether the condition holds and whether its key was missing.
func (c *ccond) eval(ctx *Context) (ok, missing bool) {
	vals, _ := ctx.Get(c.lkey)
	missing = len(vals) == 0
	if c.base == opNull {
		for i := range c.vals {
			if c.vals[i].b == missing {
				return true, missing
			}
		}
		return false, missing
	}
	if missing {
		switch {
		case c.ifExists, c.set == setAll:
			return true, true
		case c.set == setAny:
			return false, true
		}
		return c.negate, true
	}
	switch c.set {
	case setAny:
		for _, v := range vals {
			if c.matchAny(v, ctx) != c.negate {
				return true, false
			}
		}
		return false, false
	case setAll:
		for _, v := range vals {
			if c.matchAny(v, ctx) == c.negate {
				return false, false
			}
		}
		return true, false
	}
	// A multivalued key without a qualifier: a positive operator needs one
	// matching value, a negated one needs none.
	for _, v := range vals {
		if c.matchAny(v, ctx) {
			return !c.negate, false
		}
	}
	return c.negate, false
}

// matchAny reports whether context value v satisfies the positive form of
// the operator for at least one policy value.
func (c *ccond) matchAny(v string, ctx *Context) bool {
	switch c.base {
	case opStringEquals, opStringEqualsIgnoreCase, opStringLike, opArnLike:
		for i := range c.vals {
			p := &c.vals[i].pat
			g := &p.g
			if p.parts != nil {
				r, ok := p.get(ctx)
				if !ok {
					continue
				}
				g = &r
			}
			var m bool
			switch c.base {
			case opStringEquals:
				m = v == g.pat
			case opStringEqualsIgnoreCase:
				m = strings.EqualFold(v, g.pat)
			case opStringLike:
				m = g.match(v, false)
			default:
				m = matchARN(g, v)
			}
			if m {
				return true
			}
		}
		return false
	case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		f, ok := parseNumber(v)
		if !ok {
			return false
		}
		for i := range c.vals {
			if cmpOrdered(c.base-opNumericEquals, compareFloat(f, c.vals[i].num)) {
				return true
			}
		}
		return false
	case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		t, ok := parseDate(v)
		if !ok {
			return false
		}
		for i := range c.vals {
			if cmpOrdered(c.base-opDateEquals, t.Compare(c.vals[i].t)) {
				return true
			}
		}
		return false
	case opBool:
		b, ok := parseBool(v)
		if !ok {
			return false
		}
		for i := range c.vals {
			if c.vals[i].b == b {
				return true
			}
		}
		return false
	case opBinaryEquals:
		for i := range c.vals {
			if c.vals[i].s == v {
				return true
			}
		}
		return false
	case opIPAddress:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		a = a.Unmap()
		for i := range c.vals {
			if c.vals[i].pfx.Contains(a) {
				return true
			}
		}
		return false
	}
	return false
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpOrdered applies the ordered comparison rel (0 =, 1 <, 2 <=, 3 >, 4 >=,
// the order of the Numeric*/Date* constants) to a comparison result.
func cmpOrdered(rel baseOp, c int) bool {
	switch rel {
	case 0:
		return c == 0
	case 1:
		return c < 0
	case 2:
		return c <= 0
	case 3:
		return c > 0
	}
	return c >= 0
}

// matchARN globs each of the six colon-separated ARN parts separately; a
// pattern with fewer parts is matched against the whole value.
func matchARN(g *glob, s string) bool {
	if g.mode == globAll {
		return true
	}
	if strings.Count(g.pat, ":") < 5 {
		return g.match(s, false)
	}
	if strings.Count(s, ":") < 5 {
		return false
	}
	p, lit := g.pat, g.lit
	for part := 0; part < 6; part++ {
		pe, se := len(p), len(s)
		if part < 5 {
			pe = strings.IndexByte(p, ':')
			se = strings.IndexByte(s, ':')
		}
		var pl []bool
		if lit != nil {
			pl = lit[:pe]
		}
		if !matchGlob(p[:pe], pl, s[:se], false) {
			return false
		}
		if part < 5 {
			p, s = p[pe+1:], s[se+1:]
			if lit != nil {
				lit = lit[pe+1:]
			}
		}
	}
	return true
}
