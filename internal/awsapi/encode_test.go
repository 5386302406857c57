package awsapi

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

type xTag struct {
	Key   string
	Value string
}

type xRole struct {
	RoleName                 string
	Description              *string
	AssumeRolePolicyDocument string `urlencode:"true"`
	CreateDate               time.Time
	LastUsed                 *time.Time
	MaxSessionDuration       *int32
	Tags                     []xTag
}

type xOutput struct {
	Role        *xRole
	IsTruncated bool
	Count       int
	Marker      *string
	Empty       string
	Names       []string
	NilList     []string
	Attrs       map[string]string
	Blob        []byte
	Renamed     string `wire:"AWSName"`
}

func TestEncodeQueryResponse(t *testing.T) {
	created := time.Date(2026, 3, 1, 12, 0, 0, 123e6, time.FixedZone("X", 3600))
	tests := []struct {
		name string
		op   string
		out  any
		want string
	}{
		{
			name: "members",
			op:   "GetRole",
			out: xOutput{
				Role: &xRole{RoleName: "r<&>", AssumeRolePolicyDocument: `{"Version": "2012-10-17"}+`, CreateDate: created,
					Tags: []xTag{{Key: "k", Value: ""}}},
				Count: 0, Names: []string{"a", ""}, Attrs: map[string]string{"b": "2", "a": "1"}, Blob: []byte("hi"), Renamed: "x",
			},
			want: `<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult>` +
				`<Role><RoleName>r&lt;&amp;&gt;</RoleName>` +
				`<AssumeRolePolicyDocument>%7B%22Version%22%3A%20%222012-10-17%22%7D%2B</AssumeRolePolicyDocument>` +
				`<CreateDate>2026-03-01T11:00:00Z</CreateDate><Tags><member><Key>k</Key></member></Tags></Role>` +
				`<IsTruncated>false</IsTruncated><Count>0</Count>` +
				`<Names><member>a</member><member></member></Names>` +
				`<Attrs><entry><key>a</key><value>1</value></entry><entry><key>b</key><value>2</value></entry></Attrs>` +
				`<Blob>aGk=</Blob><AWSName>x</AWSName>` +
				`</GetRoleResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetRoleResponse>`,
		},
		{
			name: "all omitted still has a Result",
			op:   "ListThings",
			out:  struct{ Marker *string }{},
			want: `<ListThingsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListThingsResult></ListThingsResult>` +
				`<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></ListThingsResponse>`,
		},
		{
			name: "no members: no Result element",
			op:   "DeleteUser",
			out:  struct{}{},
			want: `<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">` +
				`<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></DeleteUserResponse>`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := string(encodeQueryResponse(tc.op, "https://iam.amazonaws.com/doc/2010-05-08/", "req-1", reflect.ValueOf(tc.out)))
			got = strings.TrimPrefix(got, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
			if got != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

type jCA struct {
	Arn       string            `json:"Arn"`
	CreatedAt time.Time         `json:"CreatedAt"`
	NotAfter  *time.Time        `json:"NotAfter,omitempty"`
	Serial    string            `json:"Serial,omitempty"`
	Status    string            `json:"Status"`
	Tags      []xTag            `json:"Tags"`
	Labels    map[string]string `json:"Labels"`
	Csr       []byte            `json:"Csr"`
	Policy    json.RawMessage   `json:"Policy"`
	Doc       any               `json:"Doc"`
	Count     int               `json:"Count,omitzero"`
	PlainName string
	hidden    string
}

func TestEncodeJSON(t *testing.T) {
	na := time.Unix(2087982017, 0)
	tests := []struct {
		name string
		out  any
		want string
	}{
		{name: "empty struct", out: struct{}{}, want: `{}`},
		{name: "omitted members", out: jCA{}, want: `{"Arn":"","Status":"","PlainName":""}`},
		{
			name: "members",
			out: jCA{Arn: "a<b>", CreatedAt: time.Unix(1772366400, 123e6), NotAfter: &na, Serial: "01", Status: "ACTIVE",
				Tags: []xTag{}, Labels: map[string]string{"z": "1", "a": "2"}, Csr: []byte("hi"), Policy: json.RawMessage(`{"x":1}`),
				Doc: []any{1, "two"}, Count: 3, PlainName: "p", hidden: "h"},
			want: `{"Arn":"a\u003cb\u003e","CreatedAt":1772366400.123,"NotAfter":2087982017,"Serial":"01","Status":"ACTIVE","Tags":[],` +
				`"Labels":{"a":"2","z":"1"},"Csr":"aGk=","Policy":{"x":1},"Doc":[1,"two"],"Count":3,"PlainName":"p"}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := encodeJSON(reflect.ValueOf(tc.out))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
			if !json.Valid(got) {
				t.Fatal("invalid JSON")
			}
		})
	}
}

func TestEpochSeconds(t *testing.T) {
	tests := []struct {
		name string
		t    time.Time
		want string
	}{
		{"whole", time.Unix(1772366400, 0), "1772366400"},
		{"millis", time.Unix(1772366400, 123456789), "1772366400.123"},
		{"trailing zeros trimmed", time.Unix(1772366400, 500e6), "1772366400.5"},
		{"before epoch", time.Unix(-2, 500e6), "-1.5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := epochSeconds(tc.t); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestRFC3986Escape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"AZaz09-_.~", "AZaz09-_.~"},
		{`{"a": "b+c/d"}`, "%7B%22a%22%3A%20%22b%2Bc%2Fd%22%7D"},
		{"é", "%C3%A9"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := rfc3986Escape(tc.in); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}
