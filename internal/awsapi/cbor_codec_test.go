package awsapi

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

func decodeRich(t *testing.T, body []byte) (*richInput, *Error) {
	t.Helper()
	in := reflect.New(reflect.TypeFor[richInput]())
	e := decodeCBOR(body, in)
	return in.Interface().(*richInput), e
}

func TestDecodeCBORValues(t *testing.T) {
	enc := func(k string, v cbor.Value) []byte { return cbor.Encode(cbor.Map{k: v}) }
	tests := []struct {
		name    string
		body    []byte
		check   func(*richInput) bool
		wantErr string // substring; "" = success
	}{
		{"int8 max", enc("I8", cbor.Uint(127)), func(r *richInput) bool { return r.I8 == 127 }, ""},
		{"int8 over", enc("I8", cbor.Uint(128)), nil, "'I8': 128 is not a valid int8"},
		{"int8 min", enc("I8", cbor.NegInt(128)), func(r *richInput) bool { return r.I8 == -128 }, ""},
		{"int8 under", enc("I8", cbor.NegInt(129)), nil, "'I8': -129 is not a valid int8"},
		{"int64 min", enc("I", cbor.NegInt(1<<63)), func(r *richInput) bool { return r.I == math.MinInt64 }, ""},
		{"int64 over", enc("I", cbor.Uint(1<<63)), nil, "9223372036854775808 is not a valid int"},
		{"negint wrapped to -2^64", enc("I", cbor.NegInt(0)), nil, "-18446744073709551616 is not a valid int"},
		{"uint16 max", enc("U16", cbor.Uint(65535)), func(r *richInput) bool { return r.U16 == 65535 }, ""},
		{"uint16 over", enc("U16", cbor.Uint(65536)), nil, "65536 is not a valid uint16"},
		{"uint negative", enc("U16", cbor.NegInt(1)), nil, "-1 is not a valid uint16"},
		{"integral float into int", enc("I", cbor.Float64(3)), func(r *richInput) bool { return r.I == 3 }, ""},
		{"fractional float into int", enc("I", cbor.Float64(3.5)), nil, "3.5 is not a valid int"},
		{"NaN into int", enc("I", cbor.Float64(math.NaN())), nil, "is not a valid int"},
		{"int into float", enc("F", cbor.NegInt(2)), func(r *richInput) bool { return r.F == -2 }, ""},
		{"float32 into float", enc("F", cbor.Float32(0.25)), func(r *richInput) bool { return r.F == 0.25 }, ""},
		{"half-precision float", []byte{0xa1, 0x61, 'F', 0xf9, 0x3c, 0x00}, func(r *richInput) bool { return r.F == 1 }, ""},
		{"bool as int", enc("B", cbor.Uint(1)), nil, "'B': expected a boolean, found an integer"},
		{"tag-1 integer", enc("T", &cbor.Tag{ID: 1, Value: cbor.NegInt(10)}), func(r *richInput) bool { return r.T.Equal(time.Unix(-10, 0)) }, ""},
		{"tag-1 float", enc("TP", &cbor.Tag{ID: 1, Value: cbor.Float64(1772366400.123)}),
			func(r *richInput) bool { return r.TP.Equal(time.UnixMilli(1772366400123)) }, ""},
		{"bare epoch number", enc("T", cbor.Uint(1772366400)), func(r *richInput) bool { return r.T.Equal(time.Unix(1772366400, 0)) }, ""},
		{"ISO string", enc("T", cbor.String("2026-03-01T12:00:00Z")), func(r *richInput) bool { return r.T.Equal(testCreateDate) }, ""},
		{"tag-1 text", enc("T", &cbor.Tag{ID: 1, Value: cbor.String("2026-03-01T12:00:00Z")}), nil, "'T': expected epoch seconds in tag 1, found a text string"},
		{"tag-1 NaN", enc("T", &cbor.Tag{ID: 1, Value: cbor.Float64(math.NaN())}), nil, "is not a valid timestamp"},
		{"tag-1 year 10000", enc("T", &cbor.Tag{ID: 1, Value: cbor.Uint(253402300800)}), nil, "is not a valid timestamp"},
		{"timestamp as a map", enc("T", cbor.Map{}), nil, "'T': expected a timestamp, found a map"},
		{"indefinite byte string", []byte{0xa1, 0x64, 'B', 'l', 'o', 'b', 0x5f, 0x42, 1, 2, 0x41, 3, 0xff},
			func(r *richInput) bool { return bytes.Equal(r.Blob, []byte{1, 2, 3}) }, ""},
		{"indefinite list", []byte{0xa1, 0x64, 'L', 'i', 's', 't', 0x9f, 0x61, 'a', 0xff},
			func(r *richInput) bool { return reflect.DeepEqual(r.List, []string{"a"}) }, ""},
		{"null and undefined leave members unset", cbor.Encode(cbor.Map{"SP": &cbor.Nil{}, "Sub": &cbor.Undefined{}, "List": &cbor.Nil{}}),
			func(r *richInput) bool { return r.SP == nil && r.Sub == nil && r.List == nil }, ""},
		{"null top level", []byte{0xf6}, func(r *richInput) bool { return reflect.ValueOf(*r).IsZero() }, ""},
		{"list for a struct", enc("Sub", cbor.List{}), nil, "'Sub': expected a map, found a list"},
		{"map for a list", enc("List", cbor.Map{}), nil, "'List': expected a list, found a map"},
		{"bad map value path", enc("MapS", cbor.Map{"z": cbor.Map{"V": cbor.Bool(true)}}), nil, "'MapS.z.V': expected an integer, found a boolean"},
		{"document keeps blobs as base64", enc("Doc", cbor.Map{"b": cbor.Slice("hi")}),
			func(r *richInput) bool { return reflect.DeepEqual(r.Doc, map[string]any{"b": "aGk="}) }, ""},
		{"raw JSON from CBOR", enc("Raw", cbor.Map{"n": cbor.NegInt(1)}), func(r *richInput) bool { return string(r.Raw) == `{"n":-1}` }, ""},
		{"raw JSON cannot carry NaN", enc("Raw", cbor.Float64(math.NaN())), nil, "'Raw': not representable as JSON"},
		{"reserved additional information", []byte{0xa1, 0x61, 'I', 0x1c}, nil, "reserved additional information"},
		{"declared list longer than the body", []byte{0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, nil, "length exceeds the data"},
		{"indefinite map with a dangling key", []byte{0xbf, 0x61, 'I', 0xff}, nil, "map without a value"},
		{"indefinite integer", []byte{0x1f}, nil, "indefinite length not allowed"},
		{"mixed string chunks", []byte{0xa1, 0x61, 'S', 0x7f, 0x41, 'a', 0xff}, nil, "bad chunk"},
		{"missing break", []byte{0x9f, 0x01}, nil, "missing break"},
		{"deep nesting", append(bytes.Repeat([]byte{0x81}, 200), 0x01), nil, "nesting too deep"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, e := decodeRich(t, tc.body)
			if tc.wantErr != "" {
				if e == nil || e.Code != "SerializationException" || e.Status != 400 || !strings.Contains(e.Message, tc.wantErr) {
					t.Fatalf("got %v, want SerializationException containing %q", e, tc.wantErr)
				}
				return
			}
			if e != nil {
				t.Fatalf("decode: %v", e)
			}
			if !tc.check(got) {
				t.Fatalf("decoded %+v", *got)
			}
		})
	}
}

func TestEncodeCBOR(t *testing.T) {
	type inner struct {
		N int32 `json:"n"`
	}
	type out struct {
		Str     string `json:"str,omitempty"`
		Ptr     *string
		When    time.Time
		WhenP   *time.Time
		Blob    []byte
		Empty   []string
		NilList []string
		Ints    []int64
		Inner   inner `json:"inner"`
		ByName  map[string]inner
		Doc     any
		Skip    string `json:"-"`
	}
	whole := time.Unix(-5, 0)
	v := out{When: time.UnixMilli(1772366400123), WhenP: &whole, Blob: []byte("x"), Empty: []string{},
		Ints: []int64{math.MinInt64, -1, 0, math.MaxInt64}, Inner: inner{N: -7}, ByName: map[string]inner{"a": {N: 1}},
		Doc: map[string]any{"k": []any{1.5, true, nil}}, Skip: "never"}
	b, err := encodeCBOR(reflect.ValueOf(v))
	if err != nil {
		t.Fatal(err)
	}
	got, err := cbor.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	want := cbor.Map{
		"When":   &cbor.Tag{ID: 1, Value: cbor.Float64(epochFloat(1772366400123))},
		"WhenP":  &cbor.Tag{ID: 1, Value: cbor.NegInt(5)},
		"Blob":   cbor.Slice("x"),
		"Empty":  cbor.List{},
		"Ints":   cbor.List{cbor.NegInt(1 << 63), cbor.NegInt(1), cbor.Uint(0), cbor.Uint(math.MaxInt64)},
		"inner":  cbor.Map{"n": cbor.NegInt(7)},
		"ByName": cbor.Map{"a": cbor.Map{"n": cbor.Uint(1)}},
		"Doc":    cbor.Map{"k": cbor.List{cbor.Float64(1.5), cbor.Bool(true), &cbor.Nil{}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("encoded %#v\nwant %#v", got, want)
	}
	// Outputs that cannot be rendered are errors, not panics.
	if _, err := encodeCBOR(reflect.ValueOf(struct{ C any }{C: make(chan int)})); err == nil {
		t.Fatal("channel encoded")
	}
	if _, err := encodeCBOR(reflect.ValueOf(struct{ M any }{M: map[int]string{1: "a"}})); err == nil {
		t.Fatal("int-keyed map encoded")
	}
}

// TestEpochFloat: smithy-go reads a float timestamp as
// time.UnixMilli(int64(f*1e3)); every millisecond must survive that.
func TestEpochFloat(t *testing.T) {
	for _, base := range []int64{0, 1772366400000, -86400000, 253402300799000, 1e12} {
		for d := int64(-3000); d <= 3000; d++ {
			ms := base + d
			if got := int64(epochFloat(ms) * 1e3); got != ms {
				t.Fatalf("epochFloat(%d)*1e3 truncates to %d", ms, got)
			}
		}
	}
}

func TestCBORErrorBody(t *testing.T) {
	tests := []struct {
		name string
		e    *Error
		want cbor.Map
	}{
		{"plain", &Error{Code: "InvalidStateException", Message: "m"}, cbor.Map{"__type": cbor.String("InvalidStateException"), "message": cbor.String("m")}},
		{"modeled members", &Error{Code: "C", Message: "m", Fields: map[string]any{"Reason": "R", "Count": 3}},
			cbor.Map{"__type": cbor.String("C"), "message": cbor.String("m"), "Reason": cbor.String("R"), "Count": cbor.Uint(3)}},
		{"members that cannot be encoded are dropped", &Error{Code: "C", Message: "m", Fields: map[string]any{"Reason": "R", "Bad": make(chan int)}},
			cbor.Map{"__type": cbor.String("C"), "message": cbor.String("m")}},
		{"fields cannot override the code", &Error{Code: "C", Message: "m", Fields: map[string]any{"__type": "X"}},
			cbor.Map{"__type": cbor.String("C"), "message": cbor.String("m")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := cbor.Decode(cborErrorBody(tc.e))
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("%#v %v, want %#v", got, err, tc.want)
			}
		})
	}
}

func FuzzCBORDecode(f *testing.F) {
	for _, seed := range []cbor.Value{
		cbor.Map{"S": cbor.String("abc"), "SP": cbor.String("A"), "B": cbor.Bool(true), "I": cbor.NegInt(1), "I32P": cbor.Uint(5),
			"F": cbor.Float64(1.5), "T": &cbor.Tag{ID: 1, Value: cbor.Float64(1772366400.5)}, "Blob": cbor.Slice("hi")},
		cbor.Map{"List": cbor.List{cbor.String("a")}, "Items": cbor.List{cbor.Map{"K": cbor.String("k"), "V": cbor.Uint(3)}},
			"Ptrs": cbor.List{&cbor.Nil{}, cbor.Map{"K": cbor.String("p")}}, "Nested": cbor.List{cbor.List{cbor.Uint(1)}}},
		cbor.Map{"Map": cbor.Map{"a": cbor.String("b")}, "MapS": cbor.Map{"z": cbor.Map{"K": cbor.String("q")}},
			"Sub": cbor.Map{"Sub": cbor.Map{"S": cbor.String("x")}}, "Doc": cbor.Map{"x": cbor.List{cbor.Uint(1), &cbor.Nil{}}},
			"Raw": cbor.List{cbor.Float32(2)}},
		cbor.Map{"I": cbor.Float64(1e300), "I8": cbor.Uint(300), "U16": cbor.NegInt(1), "TP": &cbor.Tag{ID: 1, Value: cbor.Float64(-1e30)}},
		cbor.List{}, &cbor.Nil{},
	} {
		f.Add(cbor.Encode(seed))
	}
	for _, raw := range [][]byte{{}, {0xbf, 0x61, 'S', 0x7f, 0x61, 'a', 0xff, 0xff}, {0x9f, 0x9f, 0xff}, {0x5f, 0x41, 0x00}} {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in := reflect.New(reflect.TypeFor[richInput]())
		if e := decodeCBOR(body, in); e != nil {
			if e.Status != 400 || e.Code != "SerializationException" {
				t.Fatal(e)
			}
			return
		}
		validate(rpcv2CBOR, in.Elem())
		// Whatever decoded must encode, and decode again.
		out, err := encodeCBOR(in.Elem())
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		again := reflect.New(reflect.TypeFor[richInput]())
		if e := decodeCBOR(out, again); e != nil {
			t.Fatalf("re-decode: %v", e)
		}
	})
}
