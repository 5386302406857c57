package awsapi

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/authz"
)

// richInput has every member kind the codecs support.
type richInput struct {
	S      string  `min:"1" max:"10" pattern:"^[a-z]*$"`
	SP     *string `enum:"A,B"`
	B      bool
	BP     *bool
	I      int
	I8     int8
	I32P   *int32 `min:"1" max:"1000" required:"true"`
	U16    uint16
	F      float64
	T      time.Time
	TP     *time.Time
	Blob   []byte
	List   []string `max:"3"`
	Nested [][]int64
	Items  []richItem
	Ptrs   []*richItem
	Map    map[string]string
	MapS   map[string]richItem
	Sub    *richInput
	Doc    any
	Raw    json.RawMessage
}

type richItem struct {
	K *string `required:"true"`
	V *int64  `min:"0"`
	L []string
}

func FuzzQueryDecode(f *testing.F) {
	for _, seed := range []string{
		"S=abc&SP=A&B=true&I=-1&I32P=5&F=1.5&T=2026-03-01T12:00:00Z&Blob=aGk=",
		"List.member.1=a&List.member.2=b&Items.member.1.K=k&Items.member.1.V=3&Items.member.1.L.member.1=x",
		"Map.entry.1.key=a&Map.entry.1.value=b&MapS.entry.1.key=z&MapS.entry.1.value.K=q",
		"Sub.Sub.Sub.S=x&Sub.I32P=0&Nested.member.1.member.1=7&Ptrs.member.1.K=p",
		"List.member.0=a&List.member.1001=b&Items.member.01.K=x&TP=1772366400.5&U16=70000",
		"List=&Map=&Items.member.1=&Doc=x&Raw=y",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, form string) {
		values, err := url.ParseQuery(form)
		if err != nil {
			return
		}
		in := reflect.New(reflect.TypeFor[richInput]())
		errs := decodeQuery(values, in)
		if len(errs) > 0 {
			if e := validationError(Query, errs); e.Status != 400 {
				t.Fatal(e)
			}
			return
		}
		validate(Query, in.Elem())
		// Whatever decoded must encode to well-formed XML.
		out := encodeQueryResponse("Op", "urn:x", "id", in.Elem())
		if err := xml.Unmarshal(out, new(struct{})); err != nil {
			t.Fatalf("encoded XML invalid: %v\n%s", err, out)
		}
	})
}

func FuzzJSONDecode(f *testing.F) {
	for _, seed := range []string{
		`{"S":"abc","SP":"A","B":true,"I":-1,"I32P":5,"F":1.5,"T":1772366400.5,"Blob":"aGk="}`,
		`{"List":["a","b"],"Items":[{"K":"k","V":3,"L":["x"]}],"Ptrs":[null,{"K":"p"}],"Nested":[[1,2],[3]]}`,
		`{"Map":{"a":"b"},"MapS":{"z":{"K":"q"}},"Sub":{"Sub":{"S":"x"}},"Doc":{"x":[1,"y",null]},"Raw":[1,2]}`,
		`{"I":1e400,"I8":300,"U16":-1,"T":"2026-03-01T12:00:00Z","TP":-1e30}`,
		``, `null`, `[]`, `{"S":`, `{} x`,
	} {
		f.Add([]byte(seed), "I32P=4&S=q")
	}
	f.Fuzz(func(t *testing.T, body []byte, rawQuery string) {
		q, _ := url.ParseQuery(rawQuery)
		for _, p := range []Protocol{JSON11, RESTJSON1} {
			in := reflect.New(reflect.TypeFor[richInput]())
			if e := decodeJSON(p, body, q, in); e != nil {
				if e.Status != 400 {
					t.Fatal(e)
				}
				continue
			}
			validate(p, in.Elem())
			out, err := encodeJSON(in.Elem())
			if err != nil {
				// Only non-finite floats cannot be encoded; JSON input cannot produce them.
				t.Fatalf("encode: %v", err)
			}
			if !json.Valid(out) {
				t.Fatalf("invalid JSON %s", out)
			}
		}
	})
}

func TestNewRejectsBadBindings(t *testing.T) {
	type badPattern struct {
		S string `pattern:"("`
	}
	type badMin struct {
		S string `min:"x"`
	}
	type badLocation struct {
		S string `location:"header=x"`
	}
	type badKind struct {
		C chan int
	}
	noop := func(context.Context, *authz.Caller, *struct{}) (*struct{}, error) { return nil, nil }
	tests := []struct {
		name string
		svcs []*Service
	}{
		{"bad pattern", []*Service{{SigningName: "a", Operations: map[string]Operation{"X": Op("X", func(context.Context, *authz.Caller, *badPattern) (*struct{}, error) { return nil, nil })}}}},
		{"bad min", []*Service{{SigningName: "a", Operations: map[string]Operation{"X": Op("X", func(context.Context, *authz.Caller, *badMin) (*struct{}, error) { return nil, nil })}}}},
		{"bad location", []*Service{{SigningName: "a", Operations: map[string]Operation{"X": Op("X", func(context.Context, *authz.Caller, *badLocation) (*struct{}, error) { return nil, nil })}}}},
		{"unsupported kind", []*Service{{SigningName: "a", Operations: map[string]Operation{"X": Op("X", func(context.Context, *authz.Caller, *badKind) (*struct{}, error) { return nil, nil })}}}},
		{"non-struct input", []*Service{{SigningName: "a", Operations: map[string]Operation{"X": Op("X", func(context.Context, *authz.Caller, *string) (*struct{}, error) { return nil, nil })}}}},
		{"zero Operation", []*Service{{SigningName: "a", Operations: map[string]Operation{"X": {Name: "X"}}}}},
		{"duplicate service", []*Service{{SigningName: "a", Operations: map[string]Operation{"X": Op("X", noop)}}, {SigningName: "a"}}},
		{"no signing name", []*Service{{}}},
		{"rpcv2Cbor on restJson1", []*Service{{SigningName: "a", Protocol: RESTJSON1, RPCv2CBOR: "A", Operations: map[string]Operation{"POST /x": Op("X", noop)}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("New did not panic")
				}
			}()
			New(Config{}, memCreds{}, tc.svcs...)
		})
	}
}
