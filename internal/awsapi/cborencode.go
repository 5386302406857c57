package awsapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// encodeCBOR renders an output struct for rpcv2Cbor with the JSON encoder's
// member names and omission rules; []byte is a byte string, time.Time tag 1
// around epoch seconds (an integer when whole, else a float64 with
// millisecond precision).
func encodeCBOR(v reflect.Value) ([]byte, error) {
	m, err := cborStruct(v)
	if err != nil {
		return nil, err
	}
	return cbor.Encode(m), nil
}

func cborStruct(v reflect.Value) (cbor.Map, error) {
	m := cbor.Map{}
	for _, f := range infoFor(v.Type()).fields {
		fv := v.FieldByIndex(f.index)
		if jsonOmit(f, fv) {
			continue
		}
		cv, err := toCBOR(fv)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.goName, err)
		}
		m[f.jsonName] = cv
	}
	return m, nil
}

func cborInt(i int64) cbor.Value {
	if i >= 0 {
		return cbor.Uint(i)
	}
	// NegInt(n) encodes -n; -(i+1) cannot overflow.
	return cbor.NegInt(uint64(-(i + 1)) + 1)
}

// cborEpoch renders t as rpcv2Cbor timestamps: tag 1 around seconds.
func cborEpoch(t time.Time) cbor.Value {
	ms := t.UnixMilli()
	if ms%1000 == 0 {
		return &cbor.Tag{ID: 1, Value: cborInt(ms / 1000)}
	}
	return &cbor.Tag{ID: 1, Value: cbor.Float64(epochFloat(ms))}
}

// epochFloat is the double nearest ms/1000, nudged by an ulp when needed so
// that clients which truncate f*1000 (smithy-go: time.UnixMilli(int64(f*1e3)))
// get ms back.
func epochFloat(ms int64) float64 {
	f := float64(ms) / 1e3
	for range 4 {
		switch got := int64(f * 1e3); {
		case got < ms:
			f = math.Nextafter(f, math.Inf(1))
		case got > ms:
			f = math.Nextafter(f, math.Inf(-1))
		default:
			return f
		}
	}
	return float64(ms) / 1e3
}

func toCBOR(v reflect.Value) (cbor.Value, error) {
	if v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return &cbor.Nil{}, nil
		}
		return toCBOR(v.Elem())
	}
	t := v.Type()
	switch t {
	case timeType:
		return cborEpoch(v.Interface().(time.Time)), nil
	case rawJSONType:
		return jsonToCBOR(v.Bytes())
	case bytesType:
		return cbor.Slice(v.Bytes()), nil
	}
	switch t.Kind() {
	case reflect.String:
		return cbor.String(v.String()), nil
	case reflect.Bool:
		return cbor.Bool(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return cborInt(v.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return cbor.Uint(v.Uint()), nil
	case reflect.Float32:
		return cbor.Float32(v.Float()), nil
	case reflect.Float64:
		return cbor.Float64(v.Float()), nil
	case reflect.Struct:
		return cborStruct(v)
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && v.IsNil() {
			return &cbor.Nil{}, nil
		}
		l := make(cbor.List, v.Len())
		for i := range l {
			e, err := toCBOR(v.Index(i))
			if err != nil {
				return nil, err
			}
			l[i] = e
		}
		return l, nil
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil, fmt.Errorf("unsupported map key type %v", t.Key())
		}
		if v.IsNil() {
			return &cbor.Nil{}, nil
		}
		m := make(cbor.Map, v.Len())
		for it := v.MapRange(); it.Next(); {
			e, err := toCBOR(it.Value())
			if err != nil {
				return nil, err
			}
			m[it.Key().String()] = e
		}
		return m, nil
	}
	return nil, fmt.Errorf("unsupported output type %v", t)
}

// jsonToCBOR renders a json.RawMessage member: integers stay integers.
func jsonToCBOR(raw []byte) (cbor.Value, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("invalid json.RawMessage: %w", err)
	}
	return plainToCBOR(doc), nil
}

func plainToCBOR(x any) cbor.Value {
	switch x := x.(type) {
	case map[string]any:
		m := make(cbor.Map, len(x))
		for k, e := range x {
			m[k] = plainToCBOR(e)
		}
		return m
	case []any:
		l := make(cbor.List, len(x))
		for i, e := range x {
			l[i] = plainToCBOR(e)
		}
		return l
	case string:
		return cbor.String(x)
	case bool:
		return cbor.Bool(x)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return cborInt(i)
		}
		f, _ := x.Float64() // out of range gives ±Inf, as CBOR can carry
		return cbor.Float64(f)
	}
	return &cbor.Nil{}
}

// cborErrorBody is the rpcv2Cbor error document: __type, message and the
// modeled members. Members that cannot be encoded are dropped together.
func cborErrorBody(e *Error) []byte {
	m := cbor.Map{}
	for k, f := range e.Fields {
		cv, err := toCBOR(reflect.ValueOf(&f).Elem())
		if err != nil {
			m = cbor.Map{}
			break
		}
		m[k] = cv
	}
	m["__type"] = cbor.String(e.Code)
	m["message"] = cbor.String(e.Message)
	return cbor.Encode(m)
}
