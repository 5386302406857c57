package awsapi

import (
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

type qTag struct {
	Key   *string `required:"true" min:"1" max:"128"`
	Value *string `max:"256"`
}

type qNested struct {
	Mode  *string `enum:"FAST,SLOW"`
	Inner *qNested
}

type qInput struct {
	UserName *string `min:"1" max:"64" pattern:"^[\\w+=,.@-]+$"`
	MaxItems *int32  `min:"1" max:"1000"`
	Enabled  *bool
	Count    int
	Ratio    float64
	Since    time.Time
	Tags     []qTag `max:"50"`
	Names    []string
	Attrs    map[string]string
	Nested   *qNested
	Blob     []byte
	Renamed  string  `wire:"AWSServiceName"`
	Password *string `sensitive:"true" min:"8"`
	Ignored  string  `json:"-"`
}

func sp(s string) *string { return &s }
func i32p(i int32) *int32 { return &i }
func bp(b bool) *bool     { return &b }

func TestDecodeQuery(t *testing.T) {
	since := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		form     string
		want     qInput
		wantErrs []string
	}{
		{
			name: "scalars",
			form: "UserName=alice&MaxItems=10&Enabled=TRUE&Count=-3&Ratio=0.5&Since=2026-03-01T12:00:00Z&Blob=aGk%3D&AWSServiceName=acm.amazonaws.com",
			want: qInput{UserName: sp("alice"), MaxItems: i32p(10), Enabled: bp(true), Count: -3, Ratio: 0.5, Since: since,
				Blob: []byte("hi"), Renamed: "acm.amazonaws.com"},
		},
		{
			name: "epoch timestamp",
			form: "Since=1772366400",
			want: qInput{Since: since},
		},
		{
			name: "list of structs, scalar list, map and nested struct",
			form: "Tags.member.1.Key=k1&Tags.member.1.Value=v1&Tags.member.2.Key=k2" +
				"&Names.member.2=b&Names.member.1=a" +
				"&Attrs.entry.1.key=x&Attrs.entry.1.value=1&Attrs.entry.2.key=y&Attrs.entry.2.value=2" +
				"&Nested.Mode=FAST&Nested.Inner.Mode=SLOW",
			want: qInput{
				Tags:   []qTag{{Key: sp("k1"), Value: sp("v1")}, {Key: sp("k2")}},
				Names:  []string{"a", "b"},
				Attrs:  map[string]string{"x": "1", "y": "2"},
				Nested: &qNested{Mode: sp("FAST"), Inner: &qNested{Mode: sp("SLOW")}},
			},
		},
		{
			name: "empty list marker",
			form: "Names=&Tags=",
			want: qInput{Names: []string{}, Tags: []qTag{}},
		},
		{
			name: "unknown parameters and Action ignored",
			form: "Action=GetUser&Version=2010-05-08&Bogus=1&UserName.member.1=x&Ignored=zzz",
			want: qInput{},
		},
		{
			name:     "gap in list",
			form:     "Names.member.1=a&Names.member.3=c",
			wantErrs: []string{"Value '3' at 'names' failed to satisfy constraint: Member must be numbered consecutively from 1"},
		},
		{
			name:     "index zero",
			form:     "Names.member.0=a",
			wantErrs: []string{"Value '0' at 'names' failed to satisfy constraint: Member must be a list index from 1 to 1000"},
		},
		{
			name:     "index above 1000",
			form:     "Names.member.1001=a",
			wantErrs: []string{"Value '1001' at 'names' failed to satisfy constraint: Member must be a list index from 1 to 1000"},
		},
		{
			name:     "non-canonical index",
			form:     "Names.member.01=a",
			wantErrs: []string{"Value '01' at 'names' failed to satisfy constraint: Member must be a list index from 1 to 1000"},
		},
		{
			name: "type errors",
			form: "MaxItems=abc&Enabled=yes&Since=yesterday&Count=99999999999999999999&Blob=%%%",
			wantErrs: []string{
				"Value 'abc' at 'maxItems' failed to satisfy constraint: Member must be an integer",
				"Value 'yes' at 'enabled' failed to satisfy constraint: Member must be a boolean",
				"Value 'yesterday' at 'since' failed to satisfy constraint: Member must be a timestamp (ISO-8601 or epoch seconds)",
				"Value '99999999999999999999' at 'count' failed to satisfy constraint: Member must be an integer",
				"Value '%' at 'blob' failed to satisfy constraint: Member must be base64-encoded binary data",
			},
		},
		{
			name:     "int32 overflow",
			form:     "MaxItems=2147483648",
			wantErrs: []string{"Value '2147483648' at 'maxItems' failed to satisfy constraint: Member must be an integer"},
		},
		{
			name:     "map entry without key",
			form:     "Attrs.entry.1.value=v",
			wantErrs: []string{"Value null at 'attrs.entry.1.key' failed to satisfy constraint: Member must not be null"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vals, err := url.ParseQuery(strings.ReplaceAll(tc.form, "%%%", "%25"))
			if err != nil {
				t.Fatal(err)
			}
			in := reflect.New(reflect.TypeFor[qInput]())
			errs := decodeQuery(vals, in)
			if tc.wantErrs != nil {
				if !sameSet(errs, tc.wantErrs) {
					t.Fatalf("errors\n got %q\nwant %q", errs, tc.wantErrs)
				}
				return
			}
			if len(errs) > 0 {
				t.Fatalf("unexpected errors %q", errs)
			}
			if got := in.Elem().Interface().(qInput); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		if seen[s] == 0 {
			return false
		}
		seen[s]--
	}
	return true
}

type jTag struct {
	Key   *string `json:"key" required:"true" min:"1"`
	Value *string `json:"value"`
}

type jInput struct {
	Arn       *string           `json:"resourceShareArn" location:"querystring=resourceShareArn" required:"true"`
	Name      *string           `json:"name" max:"5"`
	Created   time.Time         `json:"creationTime"`
	Csr       []byte            `json:"csr"`
	Max       *int32            `json:"maxResults" min:"1" max:"500"`
	Tags      []jTag            `json:"tags"`
	Labels    map[string]string `json:"labels"`
	Flag      *bool             `json:"flag"`
	Doc       any               `json:"doc"`
	Validity  *jValidity        `json:"validity"`
	PlainName string
}

type jValidity struct {
	Value *int64  `json:"Value" required:"true" min:"1"`
	Type  *string `json:"Type" enum:"DAYS,MONTHS"`
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name    string
		proto   Protocol
		body    string
		query   string
		want    jInput
		wantErr string // exact Error() of the *Error
	}{
		{name: "empty body", proto: JSON11, body: "", want: jInput{}},
		{name: "null body", proto: JSON11, body: " null ", want: jInput{}},
		{
			name:  "members",
			proto: JSON11,
			body: `{"name":"ab","creationTime":1772366400.5,"csr":"aGk=","maxResults":1.0,"tags":[{"key":"k"}],` +
				`"labels":{"a":"b"},"flag":false,"doc":{"x":[1,"y"]},"validity":{"Value":3,"Type":"DAYS"},"PlainName":"p","unknown":{"deep":[1]}}`,
			want: jInput{Name: sp("ab"), Created: time.Unix(1772366400, 5e8).UTC(), Csr: []byte("hi"), Max: i32p(1),
				Tags: []jTag{{Key: sp("k")}}, Labels: map[string]string{"a": "b"}, Flag: bp(false),
				Doc: map[string]any{"x": []any{1.0, "y"}}, Validity: &jValidity{Value: i64p(3), Type: sp("DAYS")}, PlainName: "p"},
		},
		{
			name:  "restJson1 querystring member",
			proto: RESTJSON1,
			body:  `{"resourceShareArn":"from-body"}`,
			query: "resourceShareArn=arn%3Aaws%3Aram%3A%3A1%3Ars%2Fx",
			want:  jInput{Arn: sp("arn:aws:ram::1:rs/x")},
		},
		{
			name:  "awsJson1_1 reads every member from the body",
			proto: JSON11,
			body:  `{"resourceShareArn":"from-body"}`,
			query: "resourceShareArn=ignored",
			want:  jInput{Arn: sp("from-body")},
		},
		{name: "ISO timestamp string accepted", proto: JSON11, body: `{"creationTime":"2026-03-01T12:00:00Z"}`,
			want: jInput{Created: time.Unix(1772366400, 0).UTC()}},
		{name: "wrong type names the member", proto: JSON11, body: `{"maxResults":"10"}`,
			wantErr: "SerializationException: Cannot deserialize member 'maxResults': expected a number, found a string"},
		{name: "nested wrong type", proto: JSON11, body: `{"tags":[{"key":5}]}`,
			wantErr: "SerializationException: Cannot deserialize member 'tags.1.member.key': expected a string, found a number"},
		{name: "fractional integer", proto: JSON11, body: `{"maxResults":1.5}`,
			wantErr: "SerializationException: Cannot deserialize member 'maxResults': 1.5 is not a valid int32"},
		{name: "overflow", proto: JSON11, body: `{"maxResults":4294967296}`,
			wantErr: "SerializationException: Cannot deserialize member 'maxResults': 4294967296 is not a valid int32"},
		{name: "bad base64", proto: JSON11, body: `{"csr":"***"}`,
			wantErr: "SerializationException: Cannot deserialize member 'csr': invalid base64 data"},
		{name: "malformed", proto: JSON11, body: `{"name":`,
			wantErr: "SerializationException: Malformed JSON request body: unexpected end of input"},
		{name: "trailing data", proto: JSON11, body: `{} {}`,
			wantErr: "SerializationException: Malformed JSON request body: unexpected data after the top-level value"},
		{name: "top-level array", proto: JSON11, body: `[]`,
			wantErr: "SerializationException: Malformed JSON request body: the top-level value must be an object"},
		{name: "bad querystring type", proto: RESTJSON1, query: "resourceShareArn=x&maxResults=abc",
			wantErr: "ValidationException: 1 validation error detected: Value 'abc' at 'maxResults' failed to satisfy constraint: Member must be an integer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tc.query)
			// The query member only binds on restJson1; give it a querystring
			// location there and test Max via the query in one case.
			in := reflect.New(reflect.TypeFor[jInput]())
			if tc.name == "bad querystring type" {
				in = reflect.New(reflect.TypeFor[jQueryInput]())
			}
			e := decodeJSON(tc.proto, []byte(tc.body), q, in)
			if tc.wantErr != "" {
				if e == nil || e.Error() != tc.wantErr || e.Status != 400 {
					t.Fatalf("got %v, want %q (400)", e, tc.wantErr)
				}
				return
			}
			if e != nil {
				t.Fatalf("unexpected %v", e)
			}
			if got := in.Elem().Interface().(jInput); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

type jQueryInput struct {
	Arn *string `json:"resourceShareArn" location:"querystring=resourceShareArn"`
	Max *int32  `json:"maxResults" location:"querystring=maxResults"`
}

func i64p(i int64) *int64 { return &i }

func TestValidate(t *testing.T) {
	long := strings.Repeat("a", 65)
	tests := []struct {
		name  string
		proto Protocol
		in    any
		want  []string
	}{
		{name: "valid", proto: Query, in: &qInput{UserName: sp("alice"), MaxItems: i32p(1)}, want: nil},
		{name: "required missing", proto: Query, in: &qInput{Tags: []qTag{{Value: sp("v")}}},
			want: []string{"Value null at 'tags.member.1.key' failed to satisfy constraint: Member must not be null"}},
		{name: "json list path", proto: JSON11, in: &jInput{Arn: sp("a"), Tags: []jTag{{Key: sp("k")}, {}}},
			want: []string{"Value null at 'tags.2.member.key' failed to satisfy constraint: Member must not be null"}},
		{name: "length and pattern", proto: Query, in: &qInput{UserName: sp(long + "!")},
			want: []string{
				"Value '" + long + "!' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64",
				"Value '" + long + "!' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\\w+=,.@-]+$",
			}},
		{name: "pattern is a full match", proto: Query, in: &qInput{UserName: sp("a b")},
			want: []string{"Value 'a b' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\\w+=,.@-]+$"}},
		{name: "number range", proto: Query, in: &qInput{MaxItems: i32p(0)},
			want: []string{"Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"}},
		{name: "enum in nested pointer", proto: Query, in: &qInput{Nested: &qNested{Inner: &qNested{Mode: sp("MEDIUM")}}},
			want: []string{"Value 'MEDIUM' at 'nested.inner.mode' failed to satisfy constraint: Member must satisfy enum value set: [FAST, SLOW]"}},
		{name: "list length", proto: Query, in: &qInput{Tags: make([]qTag, 51)},
			want: append([]string{"Value '[{…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}, {…}]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"},
				nullKeys(51)...)},
		{name: "sensitive value not repeated", proto: Query, in: &qInput{Password: sp("short")},
			want: []string{"Value at 'password' failed to satisfy constraint: Member must have length greater than or equal to 8"}},
		{name: "json names and min value", proto: JSON11, in: &jInput{Validity: &jValidity{Value: i64p(0), Type: sp("YEARS")}},
			want: []string{
				"Value null at 'resourceShareArn' failed to satisfy constraint: Member must not be null",
				"Value '0' at 'validity.value' failed to satisfy constraint: Member must have value greater than or equal to 1",
				"Value 'YEARS' at 'validity.type' failed to satisfy constraint: Member must satisfy enum value set: [DAYS, MONTHS]",
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := validate(tc.proto, reflect.ValueOf(tc.in).Elem())
			if !reflect.DeepEqual([]string(got), tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func nullKeys(n int) []string {
	var out []string
	for i := 1; i <= n; i++ {
		out = append(out, "Value null at 'tags.member."+strconv.Itoa(i)+".key' failed to satisfy constraint: Member must not be null")
	}
	return out
}

func TestValidationErrorWording(t *testing.T) {
	tests := []struct {
		name  string
		proto Protocol
		msgs  []string
		want  string
	}{
		{"one, json", JSON11, []string{"a"}, "ValidationException: 1 validation error detected: a"},
		{"two, query", Query, []string{"a", "b"}, "ValidationError: 2 validation errors detected: a; b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := validationError(tc.proto, tc.msgs); got.Error() != tc.want || got.Status != 400 {
				t.Fatalf("got %v (%d), want %q", got, got.Status, tc.want)
			}
		})
	}
}
