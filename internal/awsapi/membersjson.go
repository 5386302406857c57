package awsapi

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/openpca/openpca/internal/jsonstr"
)

// MemberOptions shape AppendMembers' output for the call trail.
type MemberOptions struct {
	// MaxString cuts longer strings to that many bytes and "…" (0: none).
	MaxString int
	// Secret reports member (and map key) names whose values are replaced
	// by Hidden, at any depth.
	Secret func(name string) bool
	Hidden string
	// String, when set, sees every string value written with its member
	// name (an array element: the array's).
	String func(name, s string)
}

// AppendMembers appends v's members (see Members) to dst as one JSON
// object, members sorted by name as json.Marshal writes a map, with the
// options applied. It writes what json.Marshal(Members(v)) would after
// cutting and redacting, without building the map (the trail records
// every mutating call). ok is false, and nothing is appended, when v is
// nil or not a struct.
func AppendMembers(dst []byte, v any, o *MemberOptions) (out []byte, ok bool) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return dst, false
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct || rv.Type() == timeType {
		return dst, false
	}
	return o.appendStruct(dst, rv), true
}

// sortedMember is a struct field and its lowerCamel name.
type sortedMember struct {
	f    *fieldInfo
	name string
}

var sortedCache sync.Map // reflect.Type → []sortedMember

// sortedMembers is t's members in name order.
func sortedMembers(t reflect.Type) []sortedMember {
	if v, ok := sortedCache.Load(t); ok {
		return v.([]sortedMember)
	}
	var ms []sortedMember
	for _, f := range infoFor(t).fields {
		ms = append(ms, sortedMember{f, lowerFirst(f.jsonName)})
	}
	slices.SortStableFunc(ms, func(a, b sortedMember) int {
		switch {
		case a.name < b.name:
			return -1
		case a.name > b.name:
			return 1
		}
		return 0
	})
	v, _ := sortedCache.LoadOrStore(t, ms)
	return v.([]sortedMember)
}

func (o *MemberOptions) appendStruct(b []byte, v reflect.Value) []byte {
	b = append(b, '{')
	first := true
	for _, m := range sortedMembers(v.Type()) {
		fv := v.FieldByIndex(m.f.index)
		if jsonOmit(m.f, fv) || (fv.Kind() == reflect.String && fv.Len() == 0) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = jsonstr.Append(b, m.name)
		b = append(b, ':')
		b = o.appendMember(b, m.name, fv)
	}
	return append(b, '}')
}

// appendMember writes the value of the member name.
func (o *MemberOptions) appendMember(b []byte, name string, v reflect.Value) []byte {
	if o.Secret != nil && o.Secret(name) {
		return jsonstr.Append(b, o.Hidden)
	}
	return o.appendValue(b, name, v)
}

func (o *MemberOptions) appendValue(b []byte, name string, v reflect.Value) []byte {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return append(b, "null"...)
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == timeType {
			return o.appendStr(b, name, v.Interface().(time.Time).UTC().Format(time.RFC3339))
		}
		return o.appendStruct(b, v)
	case reflect.String:
		return o.appendStr(b, name, v.String())
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			n := strconv.AppendInt(nil, int64(v.Len()), 10)
			b = append(b, `{"capacity":`...)
			b = append(append(b, n...), `,"limit":`...)
			b = append(append(b, n...), `,"position":`...)
			return append(append(b, n...), '}')
		}
		b = append(b, '[')
		for i := range v.Len() {
			if i > 0 {
				b = append(b, ',')
			}
			b = o.appendValue(b, name, v.Index(i))
		}
		return append(b, ']')
	case reflect.Map:
		keys := make([]string, 0, v.Len())
		vals := make(map[string]reflect.Value, v.Len())
		for it := v.MapRange(); it.Next(); {
			k := fmt.Sprint(it.Key().Interface())
			keys = append(keys, k)
			vals[k] = it.Value()
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(jsonstr.Append(b, k), ':')
			b = o.appendMember(b, k, vals[k])
		}
		return append(b, '}')
	case reflect.Interface:
		if v.IsNil() {
			return append(b, "null"...)
		}
		return o.appendAny(b, name, v.Interface())
	case reflect.Invalid:
		return append(b, "null"...)
	case reflect.Bool:
		return strconv.AppendBool(b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if !marshals(v.Type()) {
			return strconv.AppendInt(b, v.Int(), 10)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if !marshals(v.Type()) {
			return strconv.AppendUint(b, v.Uint(), 10)
		}
	}
	return appendMarshal(b, v.Interface()) // floats, arrays, marshalers
}

// appendAny writes a document held in an interface member: its maps and
// lists are walked like members, anything else is json.Marshal's.
func (o *MemberOptions) appendAny(b []byte, name string, x any) []byte {
	switch t := x.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(jsonstr.Append(b, k), ':')
			if o.Secret != nil && o.Secret(k) {
				b = jsonstr.Append(b, o.Hidden)
			} else {
				b = o.appendAny(b, k, t[k])
			}
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, e := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = o.appendAny(b, name, e)
		}
		return append(b, ']')
	case string:
		return o.appendStr(b, name, t)
	}
	return appendMarshal(b, x)
}

func (o *MemberOptions) appendStr(b []byte, name, s string) []byte {
	if o.MaxString > 0 && len(s) > o.MaxString {
		s = s[:o.MaxString] + "…"
	}
	if o.String != nil {
		o.String(name, s)
	}
	return jsonstr.Append(b, s)
}

var (
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

func marshals(t reflect.Type) bool {
	return t.Implements(jsonMarshalerType) || t.Implements(textMarshalerType)
}

func appendMarshal(b []byte, x any) []byte {
	q, err := json.Marshal(x)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, q...)
}
