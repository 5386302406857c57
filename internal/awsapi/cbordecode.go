package awsapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/aws/smithy-go/encoding/cbor"
)

// maxCBORDepth matches the nesting limit of smithy-go's decoder.
const maxCBORDepth = 128

// maxEpochSeconds bounds timestamps as parseEpoch does (9999-12-31T23:59:59Z).
const maxEpochSeconds = 253402300799

// decodeCBOR fills the struct that in points to from an rpcv2Cbor body
// (empty = {}). Undecodable bodies and type mismatches answer
// SerializationException naming the member, like decodeJSON.
func decodeCBOR(body []byte, in reflect.Value) *Error {
	if len(body) == 0 {
		return nil
	}
	end, err := cborItemEnd(body, 0, 0)
	if err != nil {
		return serializationError("Malformed CBOR request body: " + err.Error())
	}
	if end != len(body) {
		return serializationError("Malformed CBOR request body: unexpected data after the top-level value")
	}
	doc, err := cbor.Decode(body)
	if err != nil {
		return serializationError("Malformed CBOR request body: " + err.Error())
	}
	switch x := doc.(type) {
	case *cbor.Nil, *cbor.Undefined:
		return nil
	case cbor.Map:
		if err := cborObject(in.Elem(), x, ""); err != nil {
			return serializationError(err.Error())
		}
		return nil
	}
	return serializationError("Malformed CBOR request body: the top-level value must be a map")
}

// cborItemEnd returns the offset just past the well-formed data item at
// p[off:]. cbor.Decode cannot say how much it consumed, so this finds
// trailing garbage (and bounds nesting before Decode recurses).
func cborItemEnd(p []byte, off, depth int) (int, error) {
	if depth > maxCBORDepth {
		return 0, errors.New("nesting too deep")
	}
	if off >= len(p) {
		return 0, errors.New("unexpected end of data")
	}
	major, minor := p[off]>>5, p[off]&0x1f
	off++
	if minor == 31 {
		return cborIndefiniteEnd(p, off, major, depth)
	}
	arg, off, err := cborArg(p, off, minor)
	if err != nil {
		return 0, err
	}
	switch major {
	case 2, 3: // byte and text strings
		if arg > uint64(len(p)-off) {
			return 0, errors.New("string length exceeds the data")
		}
		return off + int(arg), nil
	case 4, 5: // lists and maps: every item takes at least one byte
		items := arg
		if major == 5 {
			if items > math.MaxUint64/2 {
				return 0, errors.New("map length exceeds the data")
			}
			items *= 2
		}
		if items > uint64(len(p)-off) {
			return 0, errors.New("container length exceeds the data")
		}
		for range items {
			if off, err = cborItemEnd(p, off, depth+1); err != nil {
				return 0, err
			}
		}
		return off, nil
	case 6: // tag
		return cborItemEnd(p, off, depth+1)
	}
	return off, nil // integers, simple values and floats
}

func cborIndefiniteEnd(p []byte, off int, major byte, depth int) (int, error) {
	switch major {
	case 2, 3, 4, 5:
	default:
		return 0, fmt.Errorf("indefinite length not allowed for major type %d", major)
	}
	for n := 0; ; n++ {
		if off >= len(p) {
			return 0, errors.New("missing break")
		}
		if p[off] == 0xff {
			if major == 5 && n%2 == 1 {
				return 0, errors.New("map without a value for its last key")
			}
			return off + 1, nil
		}
		if major == 2 || major == 3 {
			// Chunks are definite strings of the same type.
			if p[off]>>5 != major || p[off]&0x1f == 31 {
				return 0, errors.New("bad chunk in indefinite-length string")
			}
		}
		var err error
		if off, err = cborItemEnd(p, off, depth+1); err != nil {
			return 0, err
		}
	}
}

func cborArg(p []byte, off int, minor byte) (uint64, int, error) {
	if minor < 24 {
		return uint64(minor), off, nil
	}
	if minor > 27 {
		return 0, 0, fmt.Errorf("reserved additional information %d", minor)
	}
	n := 1 << (minor - 24)
	if len(p)-off < n {
		return 0, 0, errors.New("unexpected end of data")
	}
	var v uint64
	for _, b := range p[off : off+n] {
		v = v<<8 | uint64(b)
	}
	return v, off + n, nil
}

func cborKind(raw cbor.Value) string {
	switch raw.(type) {
	case cbor.Uint, cbor.NegInt:
		return "an integer"
	case cbor.Float32, cbor.Float64:
		return "a floating-point number"
	case cbor.Slice:
		return "a byte string"
	case cbor.String:
		return "a text string"
	case cbor.List:
		return "a list"
	case cbor.Map:
		return "a map"
	case *cbor.Tag:
		return "a tagged value"
	case cbor.Bool:
		return "a boolean"
	case *cbor.Undefined:
		return "undefined"
	}
	return "null"
}

func cborMismatch(path, want string, raw cbor.Value) error {
	return fmt.Errorf("Cannot deserialize member '%s': expected %s, found %s", path, want, cborKind(raw))
}

func cborObject(v reflect.Value, m cbor.Map, path string) error {
	si := infoFor(v.Type())
	// Sorted so that the first error reported does not depend on map order.
	for _, k := range slices.Sorted(maps.Keys(m)) {
		f := si.byJSON[k]
		if f == nil {
			continue // unknown members are ignored
		}
		if err := cborValue(v.FieldByIndex(f.index), m[k], joinPath(path, f.jsonName)); err != nil {
			return err
		}
	}
	return nil
}

func cborValue(v reflect.Value, raw cbor.Value, path string) error {
	switch raw.(type) {
	case *cbor.Nil, *cbor.Undefined:
		return nil // null leaves the member unset
	}
	t := v.Type()
	switch {
	case t.Kind() == reflect.Pointer:
		e := reflect.New(t.Elem())
		if err := cborValue(e.Elem(), raw, path); err != nil {
			return err
		}
		v.Set(e)
		return nil
	case t == rawJSONType:
		plain, err := plainCBOR(raw, path)
		if err != nil {
			return err
		}
		b, err := json.Marshal(plain)
		if err != nil {
			return fmt.Errorf("Cannot deserialize member '%s': not representable as JSON", path)
		}
		v.SetBytes(b)
		return nil
	case t == timeType:
		tm, err := cborTime(raw, path)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(tm))
		return nil
	case t == bytesType:
		b, ok := raw.(cbor.Slice)
		if !ok {
			return cborMismatch(path, "a byte string", raw)
		}
		v.SetBytes(slices.Clone([]byte(b)))
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := raw.(cbor.Map)
		if !ok {
			return cborMismatch(path, "a map", raw)
		}
		return cborObject(v, m, path)
	case reflect.Slice:
		l, ok := raw.(cbor.List)
		if !ok {
			return cborMismatch(path, "a list", raw)
		}
		s := reflect.MakeSlice(t, len(l), len(l))
		for i, e := range l {
			if err := cborValue(s.Index(i), e, fmt.Sprintf("%s.%d.member", path, i+1)); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	case reflect.Map:
		m, ok := raw.(cbor.Map)
		if !ok {
			return cborMismatch(path, "a map", raw)
		}
		out := reflect.MakeMapWithSize(t, len(m))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if !utf8.ValidString(k) {
				return fmt.Errorf("Cannot deserialize member '%s': map key is not valid UTF-8", path)
			}
			ev := reflect.New(t.Elem()).Elem()
			if err := cborValue(ev, m[k], path+"."+k); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
		}
		v.Set(out)
		return nil
	case reflect.String:
		s, ok := raw.(cbor.String)
		if !ok {
			return cborMismatch(path, "a text string", raw)
		}
		if !utf8.ValidString(string(s)) {
			return fmt.Errorf("Cannot deserialize member '%s': text string is not valid UTF-8", path)
		}
		v.SetString(string(s))
		return nil
	case reflect.Bool:
		b, ok := raw.(cbor.Bool)
		if !ok {
			return cborMismatch(path, "a boolean", raw)
		}
		v.SetBool(bool(b))
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return setCBORInt(v, raw, path)
	case reflect.Float32, reflect.Float64:
		f, ok := cborFloat(raw)
		if !ok {
			return cborMismatch(path, "a number", raw)
		}
		if t.Kind() == reflect.Float32 && !math.IsInf(f, 0) && math.Abs(f) > math.MaxFloat32 {
			return fmt.Errorf("Cannot deserialize member '%s': %v is not a valid float32", path, f)
		}
		v.SetFloat(f)
		return nil
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return fmt.Errorf("Cannot deserialize member '%s'", path)
		}
		plain, err := plainCBOR(raw, path)
		if err != nil {
			return err
		}
		if plain != nil {
			v.Set(reflect.ValueOf(plain))
		}
		return nil
	}
	return fmt.Errorf("Cannot deserialize member '%s'", path)
}

// cborFloat reads any CBOR number as a float64.
func cborFloat(raw cbor.Value) (float64, bool) {
	switch x := raw.(type) {
	case cbor.Uint:
		return float64(x), true
	case cbor.NegInt:
		if x == 0 { // the wrapped -2^64
			return -math.Ldexp(1, 64), true
		}
		return -float64(x), true
	case cbor.Float32:
		return float64(x), true
	case cbor.Float64:
		return float64(x), true
	}
	return 0, false
}

// setCBORInt stores an integer (or an integral float, as the JSON decoder
// accepts 1.0) into an integer member, refusing values out of its range.
func setCBORInt(v reflect.Value, raw cbor.Value, path string) error {
	bits := v.Type().Bits()
	unsigned := v.Kind() >= reflect.Uint && v.Kind() <= reflect.Uint64
	outOfRange := func(shown string) error {
		return fmt.Errorf("Cannot deserialize member '%s': %s is not a valid %s", path, shown, v.Kind())
	}
	switch x := raw.(type) {
	case cbor.Uint:
		if unsigned {
			if bits < 64 && uint64(x) >= 1<<bits {
				return outOfRange(fmt.Sprint(uint64(x)))
			}
			v.SetUint(uint64(x))
			return nil
		}
		if uint64(x) > 1<<(bits-1)-1 {
			return outOfRange(fmt.Sprint(uint64(x)))
		}
		v.SetInt(int64(x))
		return nil
	case cbor.NegInt:
		// NegInt(n) is -n, with NegInt(0) standing for -2^64.
		if unsigned || x == 0 || uint64(x) > 1<<(bits-1) {
			if x == 0 {
				return outOfRange("-18446744073709551616")
			}
			return outOfRange("-" + fmt.Sprint(uint64(x)))
		}
		v.SetInt(-int64(uint64(x)-1) - 1)
		return nil
	case cbor.Float32, cbor.Float64:
		f, _ := cborFloat(raw)
		lo, hi := -math.Ldexp(1, bits-1), math.Ldexp(1, bits-1)
		if unsigned {
			lo, hi = 0, math.Ldexp(1, bits)
		}
		if f != math.Trunc(f) || f < lo || f >= hi { // also NaN and ±Inf
			return outOfRange(fmt.Sprint(f))
		}
		if unsigned {
			v.SetUint(uint64(f))
		} else {
			v.SetInt(int64(f))
		}
		return nil
	}
	return cborMismatch(path, "an integer", raw)
}

// cborTime reads tag 1 around epoch seconds (the rpcv2Cbor form) and,
// leniently, a bare number or an ISO-8601 string.
func cborTime(raw cbor.Value, path string) (time.Time, error) {
	if tag, ok := raw.(*cbor.Tag); ok {
		if tag.ID != 1 {
			return time.Time{}, fmt.Errorf("Cannot deserialize member '%s': expected tag 1 (epoch seconds), found tag %d", path, tag.ID)
		}
		raw = tag.Value
		if _, isNum := cborFloat(raw); !isNum {
			return time.Time{}, cborMismatch(path, "epoch seconds in tag 1", raw)
		}
	}
	switch x := raw.(type) {
	case cbor.String:
		if t, ok := parseTimestamp(string(x)); ok {
			return t, nil
		}
		return time.Time{}, fmt.Errorf("Cannot deserialize member '%s': '%s' is not a valid timestamp", path, truncate(string(x)))
	case cbor.Uint:
		if uint64(x) > maxEpochSeconds {
			return time.Time{}, fmt.Errorf("Cannot deserialize member '%s': %d is not a valid timestamp", path, uint64(x))
		}
		return time.Unix(int64(x), 0).UTC(), nil
	case cbor.NegInt:
		if x == 0 || uint64(x) > maxEpochSeconds {
			return time.Time{}, fmt.Errorf("Cannot deserialize member '%s': not a valid timestamp", path)
		}
		return time.Unix(-int64(x), 0).UTC(), nil
	}
	f, ok := cborFloat(raw)
	if !ok {
		return time.Time{}, cborMismatch(path, "a timestamp", raw)
	}
	if f != f || f < -maxEpochSeconds || f > maxEpochSeconds {
		return time.Time{}, fmt.Errorf("Cannot deserialize member '%s': %v is not a valid timestamp", path, f)
	}
	// Rounded to the millisecond: the float is the nearest double to a
	// millisecond count, and the JSON wire carries no more precision either.
	return time.UnixMilli(int64(math.Round(f * 1e3))).UTC(), nil
}

// plainCBOR turns a CBOR value into the Go values encoding/json would
// produce for a document member: numbers as float64, blobs as base64
// strings, timestamps as their epoch number.
func plainCBOR(raw cbor.Value, path string) (any, error) {
	switch x := raw.(type) {
	case cbor.Map:
		m := make(map[string]any, len(x))
		for k, e := range x {
			if !utf8.ValidString(k) {
				return nil, fmt.Errorf("Cannot deserialize member '%s': map key is not valid UTF-8", path)
			}
			p, err := plainCBOR(e, path+"."+k)
			if err != nil {
				return nil, err
			}
			m[k] = p
		}
		return m, nil
	case cbor.List:
		l := make([]any, len(x))
		for i, e := range x {
			p, err := plainCBOR(e, fmt.Sprintf("%s.%d.member", path, i+1))
			if err != nil {
				return nil, err
			}
			l[i] = p
		}
		return l, nil
	case cbor.String:
		if !utf8.ValidString(string(x)) {
			return nil, fmt.Errorf("Cannot deserialize member '%s': text string is not valid UTF-8", path)
		}
		return string(x), nil
	case cbor.Slice:
		return base64.StdEncoding.EncodeToString(x), nil
	case cbor.Bool:
		return bool(x), nil
	case *cbor.Tag:
		return plainCBOR(x.Value, path)
	case *cbor.Nil, *cbor.Undefined:
		return nil, nil
	}
	f, _ := cborFloat(raw)
	return f, nil
}
