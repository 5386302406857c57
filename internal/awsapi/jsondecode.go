package awsapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
)

// serializationError is AWS's answer to JSON that cannot be read or does not
// fit the input shape.
func serializationError(msg string) *Error {
	return &Error{Code: "SerializationException", Message: msg, Status: http.StatusBadRequest, Sender: true}
}

// decodeJSON fills the struct that in points to from body (empty = {}). For
// restJson1, members with location:"querystring=…" come from query instead
// of the body. Type mismatches answer SerializationException naming the member.
func decodeJSON(p Protocol, body []byte, query url.Values, in reflect.Value) *Error {
	v := in.Elem()
	if p == RESTJSON1 {
		if e := decodeQueryString(query, v); e != nil {
			return e
		}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return serializationError("Malformed JSON request body: " + jsonErrText(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return serializationError("Malformed JSON request body: unexpected data after the top-level value")
	}
	if doc == nil {
		return nil
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return serializationError("Malformed JSON request body: the top-level value must be an object")
	}
	d := jsonDecoder{skipQuery: p == RESTJSON1}
	if err := d.object(v, obj, ""); err != nil {
		return serializationError(err.Error())
	}
	return nil
}

func jsonErrText(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s (at byte %d)", se.Error(), se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of input"
	}
	return err.Error()
}

func decodeQueryString(q url.Values, v reflect.Value) *Error {
	var errs violations
	for _, f := range infoFor(v.Type()).fields {
		if f.querySrc == "" {
			continue
		}
		vals, ok := q[f.querySrc]
		if !ok {
			continue
		}
		fv := v.FieldByIndex(f.index)
		t := f.typ
		if t.Kind() == reflect.Pointer {
			e := reflect.New(t.Elem())
			fv.Set(e)
			fv, t = e.Elem(), t.Elem()
		}
		if t.Kind() == reflect.Slice && t != bytesType {
			s := reflect.MakeSlice(t, len(vals), len(vals))
			for i, raw := range vals {
				if c := setScalar(s.Index(i), raw); c != "" {
					errs.add("'"+truncate(raw)+"' ", f.jsonName, c)
				}
			}
			fv.Set(s)
			continue
		}
		if len(vals) > 0 {
			if c := setScalar(fv, vals[0]); c != "" {
				errs.add("'"+truncate(vals[0])+"' ", f.jsonName, c)
			}
		}
	}
	if len(errs) > 0 {
		return validationError(RESTJSON1, errs)
	}
	return nil
}

type jsonDecoder struct {
	skipQuery bool // top-level querystring members are not read from the body
}

func (d jsonDecoder) object(v reflect.Value, obj map[string]any, path string) error {
	si := infoFor(v.Type())
	// Sorted so that the first error reported does not depend on map order.
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		raw := obj[k]
		f := si.byJSON[k]
		if f == nil || (d.skipQuery && path == "" && f.querySrc != "") {
			continue // unknown members are ignored
		}
		if err := d.value(v.FieldByIndex(f.index), raw, joinPath(path, f.jsonName)); err != nil {
			return err
		}
	}
	return nil
}

func jsonKind(raw any) string {
	switch raw.(type) {
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "null"
}

func mismatch(path, want string, raw any) error {
	return fmt.Errorf("Cannot deserialize member '%s': expected %s, found %s", path, want, jsonKind(raw))
}

func (d jsonDecoder) value(v reflect.Value, raw any, path string) error {
	if raw == nil {
		return nil // null leaves the member unset
	}
	t := v.Type()
	switch {
	case t.Kind() == reflect.Pointer:
		e := reflect.New(t.Elem())
		if err := d.value(e.Elem(), raw, path); err != nil {
			return err
		}
		v.Set(e)
		return nil
	case t == rawJSONType:
		b, err := json.Marshal(raw)
		if err != nil {
			return err
		}
		v.SetBytes(b)
		return nil
	case t == timeType:
		return setJSONTime(v, raw, path)
	case t == bytesType:
		s, ok := raw.(string)
		if !ok {
			return mismatch(path, "a base64 string", raw)
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			if b, err = base64.RawStdEncoding.DecodeString(s); err != nil {
				return fmt.Errorf("Cannot deserialize member '%s': invalid base64 data", path)
			}
		}
		v.SetBytes(b)
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := raw.(map[string]any)
		if !ok {
			return mismatch(path, "an object", raw)
		}
		return d.object(v, obj, path)
	case reflect.Slice:
		arr, ok := raw.([]any)
		if !ok {
			return mismatch(path, "an array", raw)
		}
		s := reflect.MakeSlice(t, len(arr), len(arr))
		for i, e := range arr {
			if err := d.value(s.Index(i), e, fmt.Sprintf("%s.%d.member", path, i+1)); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	case reflect.Map:
		obj, ok := raw.(map[string]any)
		if !ok {
			return mismatch(path, "an object", raw)
		}
		m := reflect.MakeMapWithSize(t, len(obj))
		for k, e := range obj {
			ev := reflect.New(t.Elem()).Elem()
			if err := d.value(ev, e, path+"."+k); err != nil {
				return err
			}
			m.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
		}
		v.Set(m)
		return nil
	case reflect.String:
		s, ok := raw.(string)
		if !ok {
			return mismatch(path, "a string", raw)
		}
		v.SetString(s)
		return nil
	case reflect.Bool:
		b, ok := raw.(bool)
		if !ok {
			return mismatch(path, "a boolean", raw)
		}
		v.SetBool(b)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		n, ok := raw.(json.Number)
		if !ok {
			return mismatch(path, "a number", raw)
		}
		return setJSONNumber(v, n, path)
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return fmt.Errorf("Cannot deserialize member '%s'", path)
		}
		v.Set(reflect.ValueOf(plainJSON(raw)))
		return nil
	}
	return fmt.Errorf("Cannot deserialize member '%s'", path)
}

func setJSONNumber(v reflect.Value, n json.Number, path string) error {
	outOfRange := fmt.Errorf("Cannot deserialize member '%s': %s is not a valid %s", path, truncate(n.String()), v.Kind())
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(n.String(), v.Type().Bits())
		if err != nil {
			return outOfRange
		}
		v.SetFloat(f)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u, err := strconv.ParseUint(n.String(), 10, v.Type().Bits())
		if err != nil {
			f, ferr := strconv.ParseFloat(n.String(), 64)
			if ferr != nil || f != math.Trunc(f) || f < 0 || f >= math.Ldexp(1, v.Type().Bits()) {
				return outOfRange
			}
			u = uint64(f)
		}
		v.SetUint(u)
		return nil
	}
	i, err := strconv.ParseInt(n.String(), 10, v.Type().Bits())
	if err != nil {
		// 1.0 and 1e3 are integral numbers too.
		bits := v.Type().Bits()
		f, ferr := strconv.ParseFloat(n.String(), 64)
		if ferr != nil || f != math.Trunc(f) || f < -math.Ldexp(1, bits-1) || f >= math.Ldexp(1, bits-1) {
			return outOfRange
		}
		i = int64(f)
	}
	v.SetInt(i)
	return nil
}

// setJSONTime accepts epoch seconds (the AWS JSON wire form) and, leniently,
// ISO-8601 strings.
func setJSONTime(v reflect.Value, raw any, path string) error {
	var s string
	switch x := raw.(type) {
	case json.Number:
		s = x.String()
		t, ok := parseEpoch(s)
		if !ok {
			return fmt.Errorf("Cannot deserialize member '%s': %s is not a valid timestamp", path, truncate(s))
		}
		v.Set(reflect.ValueOf(t))
		return nil
	case string:
		t, ok := parseTimestamp(x)
		if !ok {
			return fmt.Errorf("Cannot deserialize member '%s': '%s' is not a valid timestamp", path, truncate(x))
		}
		v.Set(reflect.ValueOf(t))
		return nil
	}
	return mismatch(path, "a timestamp", raw)
}

// plainJSON turns json.Number leaves into float64 for `any` members.
func plainJSON(raw any) any {
	switch x := raw.(type) {
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	case []any:
		for i := range x {
			x[i] = plainJSON(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = plainJSON(x[k])
		}
	}
	return raw
}
