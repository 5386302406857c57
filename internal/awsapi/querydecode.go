package awsapi

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxListMembers bounds Name.member.N and Name.entry.N indices.
const maxListMembers = 1000

// Keys longer or deeper than this are left out of the prefix index (they are
// still looked up as scalars): indexing every prefix of a huge key would be
// quadratic, and no input shape nests that deep.
const (
	maxIndexedKeyLen   = 1024
	maxIndexedSegments = 32
)

// queryParams indexes a form so that list members and nested members are
// found without scanning every key: children["Tags.member"] = {"1","2"}.
type queryParams struct {
	values   url.Values
	children map[string]map[string]struct{}
}

func newQueryParams(v url.Values) *queryParams {
	p := &queryParams{values: v, children: map[string]map[string]struct{}{}}
	for key := range v {
		if len(key) > maxIndexedKeyLen || strings.Count(key, ".") >= maxIndexedSegments {
			continue
		}
		start := 0
		for {
			dot := strings.IndexByte(key[start:], '.')
			if dot < 0 {
				break
			}
			prefix := key[:start+dot]
			rest := key[start+dot+1:]
			seg, _, _ := strings.Cut(rest, ".")
			set := p.children[prefix]
			if set == nil {
				set = map[string]struct{}{}
				p.children[prefix] = set
			}
			set[seg] = struct{}{}
			start += dot + 1
		}
	}
	return p
}

func (p *queryParams) value(key string) (string, bool) {
	vs, ok := p.values[key]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

// queryDecoder fills an input struct from awsQuery form parameters; unknown
// parameters are ignored, as AWS does.
type queryDecoder struct {
	p    *queryParams
	errs violations
}

// decodeQuery fills the struct that in points to and returns AWS-worded
// messages for values that do not fit their member's type.
func decodeQuery(values url.Values, in reflect.Value) []string {
	d := &queryDecoder{p: newQueryParams(values)}
	d.structFields(in.Elem(), "", "")
	return d.errs
}

func (d *queryDecoder) structFields(v reflect.Value, prefix, pathPrefix string) {
	for _, f := range infoFor(v.Type()).fields {
		d.value(v.FieldByIndex(f.index), joinPath(prefix, f.queryName), joinPath(pathPrefix, lowerFirst(f.queryName)))
	}
}

// present says whether anything was sent for key, given the member's type.
func (d *queryDecoder) present(t reflect.Type, key string) bool {
	if _, ok := d.p.value(key); ok {
		return true
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType || t == bytesType {
		return false
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Slice, reflect.Map:
		return len(d.p.children[key]) > 0
	}
	return false
}

func (d *queryDecoder) value(v reflect.Value, key, path string) {
	t := v.Type()
	switch {
	case t.Kind() == reflect.Pointer:
		if !d.present(t, key) {
			return
		}
		e := reflect.New(t.Elem())
		d.value(e.Elem(), key, path)
		v.Set(e)
	case t == timeType || t == bytesType:
		d.scalar(v, key, path)
	case t.Kind() == reflect.Struct:
		if len(d.p.children[key]) > 0 {
			d.structFields(v, key, path)
		}
	case t.Kind() == reflect.Slice:
		d.list(v, key, path)
	case t.Kind() == reflect.Map:
		d.mapEntries(v, key, path)
	default:
		d.scalar(v, key, path)
	}
}

func (d *queryDecoder) scalar(v reflect.Value, key, path string) {
	raw, ok := d.p.value(key)
	if !ok {
		return
	}
	if c := setScalar(v, raw); c != "" {
		d.errs.add("'"+truncate(raw)+"' ", path, c)
	}
}

// indices returns n when the members under prefix are numbered 1..n; it
// records an error for gaps, non-canonical numbers and n > maxListMembers.
func (d *queryDecoder) indices(prefix, path string) (int, bool) {
	set := d.p.children[prefix]
	segs := make([]string, 0, len(set))
	for s := range set {
		segs = append(segs, s)
	}
	slices.Sort(segs)
	highest := 0
	for _, s := range segs {
		i, err := strconv.Atoi(s)
		if err != nil || i < 1 || i > maxListMembers || strconv.Itoa(i) != s {
			d.errs.add("'"+truncate(s)+"' ", path, "be a list index from 1 to "+strconv.Itoa(maxListMembers))
			return 0, false
		}
		highest = max(highest, i)
	}
	if highest != len(segs) {
		d.errs.add("'"+strconv.Itoa(highest)+"' ", path, "be numbered consecutively from 1")
		return 0, false
	}
	return highest, true
}

func (d *queryDecoder) list(v reflect.Value, key, path string) {
	n, ok := d.indices(key+".member", path)
	if !ok {
		return
	}
	if n == 0 {
		// "Tags=" is how query clients send an empty list.
		if _, sent := d.p.value(key); sent {
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		}
		return
	}
	s := reflect.MakeSlice(v.Type(), n, n)
	for i := 1; i <= n; i++ {
		is := strconv.Itoa(i)
		d.value(s.Index(i-1), key+".member."+is, path+".member."+is)
	}
	v.Set(s)
}

func (d *queryDecoder) mapEntries(v reflect.Value, key, path string) {
	n, ok := d.indices(key+".entry", path)
	if !ok {
		return
	}
	if n == 0 {
		if _, sent := d.p.value(key); sent {
			v.Set(reflect.MakeMap(v.Type()))
		}
		return
	}
	t := v.Type()
	m := reflect.MakeMapWithSize(t, n)
	for i := 1; i <= n; i++ {
		is := strconv.Itoa(i)
		ek, ep := key+".entry."+is, path+".entry."+is
		k, ok := d.p.value(ek + ".key")
		if !ok {
			d.errs.add("null ", ep+".key", "not be null")
			continue
		}
		e := reflect.New(t.Elem()).Elem()
		d.value(e, ek+".value", ep+".value")
		m.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), e)
	}
	v.Set(m)
}

// setScalar parses raw into v; on failure it returns the constraint text
// ("be a number", …) for the message, else "".
func setScalar(v reflect.Value, raw string) string {
	switch v.Type() {
	case timeType:
		t, ok := parseTimestamp(raw)
		if !ok {
			return "be a timestamp (ISO-8601 or epoch seconds)"
		}
		v.Set(reflect.ValueOf(t))
		return ""
	case bytesType:
		b, err := base64.StdEncoding.DecodeString(raw)
		if err != nil {
			return "be base64-encoded binary data"
		}
		v.SetBytes(b)
		return ""
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(raw)
	case reflect.Bool:
		switch {
		case strings.EqualFold(raw, "true"):
			v.SetBool(true)
		case strings.EqualFold(raw, "false"):
			v.SetBool(false)
		default:
			return "be a boolean"
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(raw, 10, v.Type().Bits())
		if err != nil {
			return "be an integer"
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(raw, 10, v.Type().Bits())
		if err != nil {
			return "be a non-negative integer"
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(raw, v.Type().Bits())
		if err != nil {
			return "be a number"
		}
		v.SetFloat(f)
	case reflect.Interface:
		if v.NumMethod() != 0 {
			return "be a supported value"
		}
		v.Set(reflect.ValueOf(raw))
	default:
		return "be a scalar value"
	}
	return ""
}

// parseTimestamp accepts ISO-8601 (with or without zone; UTC assumed) and
// epoch seconds with an optional fraction.
func parseTimestamp(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return parseEpoch(s)
}

// parseEpoch reads "1772366400", "1772366400.123" or "1.7723664e9" exactly
// enough for milliseconds.
func parseEpoch(s string) (time.Time, bool) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if sec, err := strconv.ParseInt(whole, 10, 64); err == nil && (!hasFrac || isDigits(frac)) {
		const maxSec = 253402300799 // 9999-12-31T23:59:59Z
		if sec < -maxSec || sec > maxSec {
			return time.Time{}, false
		}
		if len(frac) > 9 {
			frac = frac[:9]
		}
		ns := int64(0)
		if frac != "" {
			ns, _ = strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
			if sec < 0 || strings.HasPrefix(whole, "-") {
				ns = -ns
			}
		}
		return time.Unix(sec, ns).UTC(), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != f || f < -253402300799 || f > 253402300799 {
		return time.Time{}, false
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func truncate(s string) string {
	if len(s) > maxShownValue {
		return strings.ToValidUTF8(s[:maxShownValue], "") + "…"
	}
	return s
}

// DecodeQuery decodes awsQuery form parameters into a new input of op, as
// the server does before validation; bindings test their member names
// against the SDKs' serializers with it. The messages are the decoder's.
func (op Operation) DecodeQuery(values url.Values) (any, []string) {
	in := reflect.New(op.in)
	errs := decodeQuery(values, in)
	return in.Interface(), errs
}

// maxPeekedForm bounds how much of an unsigned request's body is read to
// learn its Action: enough for Action and Version, never a body's worth.
const maxPeekedForm = 1024

// unsignedFormAction returns the Action and Version of a small form body
// sent without an Authorization header, so that the refusal answers in the
// right service's XML namespace (IAM and STS share the endpoint). The
// bytes read are put back in front of the body.
func unsignedFormAction(r *http.Request) (action, version string) {
	if r.Header.Get("Authorization") != "" || r.Body == nil || r.ContentLength <= 0 || r.ContentLength > maxPeekedForm {
		return "", ""
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, r.ContentLength))
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), r.Body), r.Body}
	v, _ := url.ParseQuery(string(b))
	return v.Get("Action"), v.Get("Version")
}
