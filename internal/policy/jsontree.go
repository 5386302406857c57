package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// A small ordered JSON tree: encoding/json's map decoding loses key order and
// duplicate keys, both of which validation and canonical output need.

type jkind uint8

const (
	jString jkind = iota
	jNumber
	jBool
	jNull
	jArray
	jObject
)

type jval struct {
	kind jkind
	s    string // string value, number literal, or "true"/"false"
	arr  []jval
	obj  []jmember
}

type jmember struct {
	key string
	val jval
}

// maxDepth bounds nesting; real policies need about five levels.
const maxDepth = 32

var errTooDeep = errors.New("nesting too deep")

// decodeTree parses exactly one JSON value; trailing data is an error.
func decodeTree(data []byte) (jval, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return jval{}, errors.New("empty document")
		}
		return jval{}, err
	}
	v, err := decodeValue(dec, tok, 0)
	if err != nil {
		return jval{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return jval{}, errors.New("unexpected data after the document")
		}
		return jval{}, fmt.Errorf("unexpected data after the document: %v", err)
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, tok json.Token, depth int) (jval, error) {
	switch t := tok.(type) {
	case string:
		return jval{kind: jString, s: t}, nil
	case json.Number:
		return jval{kind: jNumber, s: t.String()}, nil
	case bool:
		if t {
			return jval{kind: jBool, s: "true"}, nil
		}
		return jval{kind: jBool, s: "false"}, nil
	case nil:
		return jval{kind: jNull}, nil
	case json.Delim:
		if depth >= maxDepth {
			return jval{}, errTooDeep
		}
		switch t {
		case '[':
			v := jval{kind: jArray}
			for {
				tok, err := dec.Token()
				if err != nil {
					return jval{}, err
				}
				if d, ok := tok.(json.Delim); ok && d == ']' {
					return v, nil
				}
				e, err := decodeValue(dec, tok, depth+1)
				if err != nil {
					return jval{}, err
				}
				v.arr = append(v.arr, e)
			}
		case '{':
			v := jval{kind: jObject}
			for {
				tok, err := dec.Token()
				if err != nil {
					return jval{}, err
				}
				if d, ok := tok.(json.Delim); ok && d == '}' {
					return v, nil
				}
				key, ok := tok.(string)
				if !ok {
					return jval{}, errors.New("object key is not a string")
				}
				tok, err = dec.Token()
				if err != nil {
					return jval{}, err
				}
				e, err := decodeValue(dec, tok, depth+1)
				if err != nil {
					return jval{}, err
				}
				v.obj = append(v.obj, jmember{key: key, val: e})
			}
		}
	}
	return jval{}, fmt.Errorf("unexpected token %v", tok)
}

// dupKey returns the first key that occurs twice in an object, if any.
func dupKey(v jval) (string, bool) {
	for i := 1; i < len(v.obj); i++ {
		for j := 0; j < i; j++ {
			if v.obj[i].key == v.obj[j].key {
				return v.obj[i].key, true
			}
		}
	}
	return "", false
}

func (k jkind) String() string {
	switch k {
	case jString:
		return "a string"
	case jNumber:
		return "a number"
	case jBool:
		return "a boolean"
	case jNull:
		return "null"
	case jArray:
		return "an array"
	}
	return "an object"
}
