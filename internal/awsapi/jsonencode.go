package awsapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/jsonstr"
)

// encodeJSON renders an output struct for awsJson1_1 / restJson1: member
// names from json tags (else wire tag, else Go name), nil pointers, nil
// slices/maps and zero times omitted, omitempty/omitzero honored,
// timestamps as epoch seconds with a millisecond fraction, []byte base64.
func encodeJSON(v reflect.Value) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(512) // fewer regrowths for typical answers
	if err := jsonStruct(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func jsonStruct(b *bytes.Buffer, v reflect.Value) error {
	b.WriteByte('{')
	first := true
	for _, f := range infoFor(v.Type()).fields {
		fv := v.FieldByIndex(f.index)
		if jsonOmit(f, fv) {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeJSONString(b, f.jsonName)
		b.WriteByte(':')
		if err := jsonValue(b, fv); err != nil {
			return fmt.Errorf("%s: %w", f.goName, err)
		}
	}
	b.WriteByte('}')
	return nil
}

func jsonOmit(f *fieldInfo, v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		if v.IsNil() {
			return true
		}
	case reflect.Struct:
		if v.Type() == timeType && v.IsZero() {
			return true
		}
	}
	if f.omitZero && v.IsZero() {
		return true
	}
	if f.omitEmpty {
		switch v.Kind() {
		case reflect.String, reflect.Slice, reflect.Map, reflect.Array:
			return v.Len() == 0
		case reflect.Bool:
			return !v.Bool()
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return v.Int() == 0
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return v.Uint() == 0
		case reflect.Float32, reflect.Float64:
			return v.Float() == 0
		}
	}
	return false
}

// writeJSONString writes s as encoding/json quotes it. PEM bodies, ARNs and
// member names need no escape but "\n", so they are written in place;
// anything else is quoted by jsonstr, byte for byte as encoding/json does.
func writeJSONString(b *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '\n' && !copiedAsIs[c] {
			b.Write(jsonstr.Append(b.AvailableBuffer(), s))
			return
		}
	}
	b.Grow(len(s) + len(s)/32 + 2)
	b.WriteByte('"')
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			break
		}
		b.WriteString(s[:i])
		b.WriteString(`\n`)
		s = s[i+1:]
	}
	b.WriteString(s)
	b.WriteByte('"')
}

// copiedAsIs marks printable ASCII that encoding/json (HTML-safe) copies
// as is; a table, as the check runs once per byte of every answer.
var copiedAsIs = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = !strings.ContainsRune(`"\<>&`, rune(c))
	}
	return t
}()

// epochSeconds renders t as AWS JSON timestamps: 1772366400.123, 1772366400.
func epochSeconds(t time.Time) string {
	ms := t.UnixMilli()
	sign := ""
	if ms < 0 {
		sign, ms = "-", -ms
	}
	sec, frac := ms/1000, ms%1000
	if frac == 0 {
		return sign + strconv.FormatInt(sec, 10)
	}
	return sign + strings.TrimRight(fmt.Sprintf("%d.%03d", sec, frac), "0")
}

func jsonValue(b *bytes.Buffer, v reflect.Value) error {
	if v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			b.WriteString("null")
			return nil
		}
		if v.Kind() == reflect.Interface {
			// Arbitrary documents: let encoding/json render them.
			q, err := json.Marshal(v.Interface())
			if err != nil {
				return err
			}
			b.Write(q)
			return nil
		}
		return jsonValue(b, v.Elem())
	}
	t := v.Type()
	switch t {
	case timeType:
		b.WriteString(epochSeconds(v.Interface().(time.Time)))
		return nil
	case rawJSONType:
		raw := v.Bytes()
		if !json.Valid(raw) {
			return fmt.Errorf("invalid json.RawMessage")
		}
		b.Write(raw)
		return nil
	case bytesType:
		writeJSONString(b, base64.StdEncoding.EncodeToString(v.Bytes()))
		return nil
	}
	switch t.Kind() {
	case reflect.String:
		writeJSONString(b, v.String())
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		b.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		q, err := json.Marshal(v.Interface())
		if err != nil {
			return err
		}
		b.Write(q)
	case reflect.Struct:
		return jsonStruct(b, v)
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && v.IsNil() {
			b.WriteString("null")
			return nil
		}
		b.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := jsonValue(b, v.Index(i)); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case reflect.Map:
		if v.IsNil() {
			b.WriteString("null")
			return nil
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k.String())
			b.WriteByte(':')
			if err := jsonValue(b, v.MapIndex(k)); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("unsupported output type %v", t)
	}
	return nil
}
