package awsapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// cborRequest is a signed rpcv2Cbor call to the ACM-PCA-shaped test service
// with body encoded from v (nil: no body, and no Content-Type).
func cborRequest(op string, v cbor.Value) rawRequest {
	var b []byte
	if v != nil {
		b = cbor.Encode(v)
	}
	return rawCBORRequest(op, b)
}

func rawCBORRequest(op string, body []byte) rawRequest {
	h := map[string]string{"Smithy-Protocol": "rpc-v2-cbor", "Accept": "application/cbor"}
	if len(body) > 0 {
		h["Content-Type"] = "application/cbor"
	}
	return rawRequest{service: "acm-pca", path: "/service/ACMPrivateCA/operation/" + op, body: body, header: h}
}

// indefMap builds an indefinite-length map, as smithy-go's client writes
// them: key/value pairs of already encoded items between 0xbf and 0xff.
func indefMap(kv ...cbor.Value) []byte {
	b := []byte{0xbf}
	for _, v := range kv {
		b = append(b, cbor.Encode(v)...)
	}
	return append(b, 0xff)
}

// checkCBORShape asserts the rpcv2Cbor response headers.
func checkCBORShape(t *testing.T, resp *http.Response) {
	t.Helper()
	if got := resp.Header.Get("Smithy-Protocol"); got != "rpc-v2-cbor" {
		t.Errorf("Smithy-Protocol %q", got)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/cbor" {
		t.Errorf("Content-Type %q", got)
	}
}

// parseCBORError decodes an rpcv2Cbor error body and checks that the
// header code agrees with __type.
func parseCBORError(t *testing.T, resp *http.Response, body []byte) (code, msg string, doc cbor.Map) {
	t.Helper()
	checkCBORShape(t, resp)
	v, err := cbor.Decode(body)
	if err != nil {
		t.Fatalf("error body %x: %v", body, err)
	}
	doc, ok := v.(cbor.Map)
	if !ok {
		t.Fatalf("error body is %T, want a map", v)
	}
	typ, _ := doc["__type"].(cbor.String)
	message, _ := doc["message"].(cbor.String)
	if got := resp.Header.Get("X-Amzn-ErrorType"); got != string(typ) {
		t.Errorf("X-Amzn-ErrorType %q, __type %q", got, typ)
	}
	return string(typ), string(message), doc
}

func TestRPCv2CBOR(t *testing.T) {
	h := newHarness(t, 0)
	issue := cbor.Map{"CertificateAuthorityArn": cbor.String(caARN), "Csr": cbor.Slice("CSR"), "SigningAlgorithm": cbor.String("SHA256WITHRSA"),
		"Validity": cbor.Map{"Value": cbor.Uint(365), "Type": cbor.String("DAYS")}}
	with := func(m cbor.Map, k string, v cbor.Value) cbor.Map {
		out := cbor.Map{}
		for kk, vv := range m {
			out[kk] = vv
		}
		out[k] = v
		return out
	}
	valid := cbor.Map{"I32P": cbor.Uint(5)}
	tests := []struct {
		name       string
		req        rawRequest
		wantStatus int
		wantBody   cbor.Value // decoded success body
		wantCode   string
		wantMsg    string // substring of the error message
		wantReason string
	}{
		{name: "issue with a blob", req: cborRequest("IssueCertificate", issue), wantStatus: 200,
			wantBody: cbor.Map{"CertificateArn": cbor.String(caARN + "/certificate/" + csrDigest("CSR"))}},
		{name: "describe with tag-1 timestamps", req: cborRequest("DescribeCertificateAuthority", cbor.Map{"CertificateAuthorityArn": cbor.String(caARN)}),
			wantStatus: 200, wantBody: cbor.Map{"CertificateAuthority": cbor.Map{
				"Arn": cbor.String(caARN), "OwnerAccount": cbor.String("111122223333"),
				"CreatedAt": &cbor.Tag{ID: 1, Value: cbor.Float64(epochFloat(1772366400123))},
				"NotAfter":  &cbor.Tag{ID: 1, Value: cbor.Uint(2087982017)},
				"Status":    cbor.String("ACTIVE"), "Usage": cbor.List{}}}},
		{name: "empty output", req: cborRequest("PutPolicy", cbor.Map{"ResourceArn": cbor.String("a"), "Policy": cbor.String("{}")}),
			wantStatus: 200, wantBody: cbor.Map{}},
		{name: "indefinite-length map", req: rawCBORRequest("PutPolicy", indefMap(cbor.String("ResourceArn"), cbor.String("a"), cbor.String("Policy"), cbor.String("{}"))),
			wantStatus: 200, wantBody: cbor.Map{}},
		{name: "null members are absent", req: cborRequest("PutPolicy", cbor.Map{"ResourceArn": &cbor.Nil{}, "Policy": &cbor.Undefined{}}),
			wantStatus: 400, wantCode: "ValidationException", wantMsg: "2 validation errors detected: Value null at 'resourceArn'"},
		{name: "no body", req: cborRequest("PutPolicy", nil), wantStatus: 400, wantCode: "ValidationException",
			wantMsg: "Value null at 'policy' failed to satisfy constraint: Member must not be null"},
		{name: "required and enum", req: cborRequest("IssueCertificate", cbor.Map{"CertificateAuthorityArn": cbor.String(caARN), "Csr": cbor.Slice("CSR"), "SigningAlgorithm": cbor.String("MD5")}),
			wantStatus: 400, wantCode: "ValidationException",
			wantMsg: "2 validation errors detected: Value 'MD5' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [SHA256WITHECDSA, SHA256WITHRSA]; " +
				"Value null at 'validity' failed to satisfy constraint: Member must not be null"},
		{name: "nested validation", req: cborRequest("EchoRich", with(valid, "Items", cbor.List{cbor.Map{"V": cbor.Uint(1)}})),
			wantStatus: 400, wantCode: "ValidationException", wantMsg: "Value null at 'items.1.member.k' failed to satisfy constraint: Member must not be null"},
		{name: "truncated CBOR", req: rawCBORRequest("IssueCertificate", cbor.Encode(issue)[:20]), wantStatus: 400,
			wantCode: "SerializationException", wantMsg: "Malformed CBOR request body"},
		{name: "trailing data", req: rawCBORRequest("PutPolicy", append(cbor.Encode(cbor.Map{}), 0x00)), wantStatus: 400,
			wantCode: "SerializationException", wantMsg: "unexpected data after the top-level value"},
		{name: "stray break", req: rawCBORRequest("PutPolicy", []byte{0xff}), wantStatus: 400, wantCode: "SerializationException", wantMsg: "Malformed CBOR"},
		{name: "non-string map key", req: rawCBORRequest("PutPolicy", []byte{0xa1, 0x01, 0x02}), wantStatus: 400, wantCode: "SerializationException", wantMsg: "Malformed CBOR"},
		{name: "top-level list", req: cborRequest("PutPolicy", cbor.List{}), wantStatus: 400, wantCode: "SerializationException",
			wantMsg: "the top-level value must be a map"},
		{name: "JSON body", req: rawCBORRequest("PutPolicy", []byte(`{"ResourceArn":"a"}`)), wantStatus: 400, wantCode: "SerializationException"},
		{name: "wrong type", req: cborRequest("IssueCertificate", with(issue, "Validity", cbor.Map{"Value": cbor.String("365")})), wantStatus: 400,
			wantCode: "SerializationException", wantMsg: "Cannot deserialize member 'Validity.Value': expected an integer, found a text string"},
		{name: "blob as text", req: cborRequest("IssueCertificate", with(issue, "Csr", cbor.String("CSR"))), wantStatus: 400,
			wantCode: "SerializationException", wantMsg: "Cannot deserialize member 'Csr': expected a byte string, found a text string"},
		{name: "integer overflow", req: cborRequest("EchoRich", with(valid, "I8", cbor.Uint(300))), wantStatus: 400,
			wantCode: "SerializationException", wantMsg: "Cannot deserialize member 'I8': 300 is not a valid int8"},
		{name: "timestamp with the wrong tag", req: cborRequest("EchoRich", with(valid, "T", &cbor.Tag{ID: 0, Value: cbor.String("2026-03-01T12:00:00Z")})),
			wantStatus: 400, wantCode: "SerializationException", wantMsg: "Cannot deserialize member 'T': expected tag 1"},
		{name: "invalid UTF-8", req: cborRequest("EchoRich", with(valid, "S", cbor.String("a\xffb"))), wantStatus: 400,
			wantCode: "SerializationException", wantMsg: "Cannot deserialize member 'S': text string is not valid UTF-8"},
		{name: "error path in a list", req: cborRequest("EchoRich", with(valid, "Items", cbor.List{cbor.Map{"K": cbor.String("k")}, cbor.Map{"V": cbor.String("3")}})),
			wantStatus: 400, wantCode: "SerializationException", wantMsg: "'Items.2.member.V'"},
		{name: "unknown operation", req: cborRequest("LaunchRocket", cbor.Map{}), wantStatus: 400, wantCode: "UnknownOperationException",
			wantMsg: "Unknown operation: '/service/ACMPrivateCA/operation/LaunchRocket'."},
		{name: "wrong service name", req: func() rawRequest {
			r := cborRequest("IssueCertificate", issue)
			r.path = "/service/CertificateManager/operation/IssueCertificate"
			return r
		}(), wantStatus: 400, wantCode: "UnknownOperationException"},
		{name: "path without an operation", req: func() rawRequest {
			r := cborRequest("IssueCertificate", issue)
			r.path = "/"
			return r
		}(), wantStatus: 400, wantCode: "UnknownOperationException"},
		{name: "GET", req: func() rawRequest {
			r := cborRequest("PutPolicy", nil)
			r.method = http.MethodGet
			return r
		}(), wantStatus: 400, wantCode: "UnknownOperationException", wantMsg: "must use POST"},
		{name: "path prefix", req: func() rawRequest {
			r := cborRequest("PutPolicy", cbor.Map{"ResourceArn": cbor.String("a"), "Policy": cbor.String("{}")})
			r.path = "/prefix" + r.path
			return r
		}(), wantStatus: 200, wantBody: cbor.Map{}},
		{name: "service without rpcv2Cbor", req: func() rawRequest {
			r := cborRequest("GetUser", cbor.Map{})
			r.service = "iam"
			return r
		}(), wantStatus: 400, wantCode: "UnknownOperationException", wantMsg: "does not accept the rpc-v2-cbor protocol"},
		{name: "modeled error", req: cborRequest("DescribeCertificateAuthority", cbor.Map{"CertificateAuthorityArn": cbor.String(caARN + "/missing")}),
			wantStatus: 400, wantCode: "ResourceNotFoundException", wantMsg: "Could not find certificate authority"},
		{name: "modeled error with extra field", req: cborRequest("DescribeCertificateAuthority", cbor.Map{"CertificateAuthorityArn": cbor.String("x/limited")}),
			wantStatus: 400, wantCode: "ConstraintViolationException", wantMsg: "exceeded the number of accounts", wantReason: "ACCOUNT_NUMBER_LIMIT_EXCEEDED"},
		{name: "handler returns *Error", req: cborRequest("ListCertificateAuthoritiesFail", nil), wantStatus: 400, wantCode: "ThrottlingException", wantMsg: "Rate exceeded"},
		{name: "access denied", req: cborRequest("DescribeCertificateAuthority", cbor.Map{"CertificateAuthorityArn": cbor.String("x/denied")}),
			wantStatus: 400, wantCode: "AccessDeniedException", wantMsg: "is not authorized to perform: test:Op"},
		{name: "internal failure", req: cborRequest("DescribeCertificateAuthority", cbor.Map{"CertificateAuthorityArn": cbor.String("x/boom")}),
			wantStatus: 500, wantCode: "InternalFailure", wantMsg: "We encountered an internal error. Please try again."},
		{name: "handler panic", req: cborRequest("DescribeCertificateAuthority", cbor.Map{"CertificateAuthorityArn": cbor.String("x/panic")}),
			wantStatus: 500, wantCode: "InternalFailure", wantMsg: "We encountered an internal error. Please try again."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := h.do(tc.req)
			h.checkCommonHeaders(resp)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d; body %x", resp.StatusCode, tc.wantStatus, body)
			}
			if tc.wantStatus == 200 {
				checkCBORShape(t, resp)
				got, err := cbor.Decode(body)
				if err != nil {
					t.Fatalf("body %x: %v", body, err)
				}
				if !reflect.DeepEqual(got, tc.wantBody) {
					t.Fatalf("body %#v, want %#v", got, tc.wantBody)
				}
				return
			}
			code, msg, doc := parseCBORError(t, resp, body)
			if code != tc.wantCode || !strings.Contains(msg, tc.wantMsg) {
				t.Fatalf("%s %q, want %s %q", code, msg, tc.wantCode, tc.wantMsg)
			}
			if reason, _ := doc["Reason"].(cbor.String); string(reason) != tc.wantReason {
				t.Fatalf("Reason %q, want %q", reason, tc.wantReason)
			}
		})
	}
}

// TestRPCv2NeedsTheHeader: the rpcv2 path without Smithy-Protocol is not
// rpcv2Cbor, so the answer is the service's own (JSON) shape.
func TestRPCv2NeedsTheHeader(t *testing.T) {
	h := newHarness(t, 0)
	req := cborRequest("PutPolicy", cbor.Map{"ResourceArn": cbor.String("a"), "Policy": cbor.String("{}")})
	delete(req.header, "Smithy-Protocol")
	resp, body := h.do(req)
	if resp.StatusCode != 400 || resp.Header.Get("Content-Type") != ctJSON11 || resp.Header.Get("Smithy-Protocol") != "" {
		t.Fatalf("%d %v %s", resp.StatusCode, resp.Header, body)
	}
	var e jsonError
	if err := json.Unmarshal(body, &e); err != nil || e.Type != "UnknownOperationException" {
		t.Fatalf("body %s: %v", body, err)
	}
}

// TestRPCv2RoundTrip sends every member kind and checks that the echo comes
// back with the same values and the rpcv2Cbor encodings.
func TestRPCv2RoundTrip(t *testing.T) {
	h := newHarness(t, 0)
	req := cbor.Map{
		"S": cbor.String("abc"), "SP": cbor.String("A"), "B": cbor.Bool(true), "BP": cbor.Bool(false),
		"I": cbor.NegInt(5), "I8": cbor.Uint(7), "I32P": cbor.Uint(5), "U16": cbor.Uint(65535), "F": cbor.Float64(1.5),
		"T":      &cbor.Tag{ID: 1, Value: cbor.Float64(1772366400.5)},
		"TP":     &cbor.Tag{ID: 1, Value: cbor.Uint(1772366400)},
		"Blob":   cbor.Slice{0, 1, 2, 0xff},
		"List":   cbor.List{cbor.String("a"), cbor.String("b")},
		"Nested": cbor.List{cbor.List{cbor.Uint(1), cbor.NegInt(2)}, cbor.List{}},
		"Items":  cbor.List{cbor.Map{"K": cbor.String("k"), "V": cbor.Uint(3), "L": cbor.List{cbor.String("x")}}},
		"Ptrs":   cbor.List{&cbor.Nil{}, cbor.Map{"K": cbor.String("p")}},
		"Map":    cbor.Map{"a": cbor.String("b")},
		"MapS":   cbor.Map{"z": cbor.Map{"K": cbor.String("q")}},
		"Sub":    cbor.Map{"S": cbor.String("x"), "I32P": cbor.Uint(1)},
		"Doc":    cbor.Map{"x": cbor.List{cbor.Uint(1), cbor.String("y"), &cbor.Nil{}}},
		"Raw":    cbor.List{cbor.Uint(1), cbor.Uint(2)},
		"Extra":  cbor.String("unknown members are ignored"),
	}
	str := func(s string) *string { return &s }
	i32 := func(i int32) *int32 { return &i }
	i64 := func(i int64) *int64 { return &i }
	f := false
	tp := time.Unix(1772366400, 0).UTC()
	want := richInput{
		S: "abc", SP: str("A"), B: true, BP: &f, I: -5, I8: 7, I32P: i32(5), U16: 65535, F: 1.5,
		T: time.UnixMilli(1772366400500).UTC(), TP: &tp, Blob: []byte{0, 1, 2, 0xff},
		List: []string{"a", "b"}, Nested: [][]int64{{1, -2}, {}},
		Items: []richItem{{K: str("k"), V: i64(3), L: []string{"x"}}},
		Ptrs:  []*richItem{nil, {K: str("p")}},
		Map:   map[string]string{"a": "b"}, MapS: map[string]richItem{"z": {K: str("q")}},
		Sub: &richInput{S: "x", I32P: i32(1)},
		Doc: map[string]any{"x": []any{1.0, "y", nil}},
		Raw: json.RawMessage(`[1,2]`),
	}
	resp, body := h.do(cborRequest("EchoRich", req))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %x", resp.StatusCode, body)
	}
	checkCBORShape(t, resp)
	got := reflect.New(reflect.TypeFor[richInput]())
	if e := decodeCBOR(body, got); e != nil {
		t.Fatalf("decode echo: %v", e)
	}
	if !reflect.DeepEqual(*got.Interface().(*richInput), want) {
		t.Fatalf("echo\n%+v\nwant\n%+v", got.Elem().Interface(), want)
	}
	// The wire forms, not just the values.
	v, _ := cbor.Decode(body)
	m := v.(cbor.Map)
	for _, c := range []struct {
		member string
		want   cbor.Value
	}{
		{"I", cbor.NegInt(5)},
		{"Blob", cbor.Slice{0, 1, 2, 0xff}},
		{"T", &cbor.Tag{ID: 1, Value: cbor.Float64(1772366400.5)}},
		{"TP", &cbor.Tag{ID: 1, Value: cbor.Uint(1772366400)}},
		{"Ptrs", cbor.List{&cbor.Nil{}, cbor.Map{"K": cbor.String("p")}}},
		{"Raw", cbor.List{cbor.Uint(1), cbor.Uint(2)}},
		{"Nested", cbor.List{cbor.List{cbor.Uint(1), cbor.NegInt(2)}, cbor.List{}}},
	} {
		if !reflect.DeepEqual(m[c.member], c.want) {
			t.Errorf("%s on the wire %#v, want %#v", c.member, m[c.member], c.want)
		}
	}
	for _, absent := range []string{"Sub.T", "Extra"} {
		name, sub, nested := strings.Cut(absent, ".")
		mm := m
		if nested {
			mm, name = m[name].(cbor.Map), sub
		}
		if _, ok := mm[name]; ok {
			t.Errorf("%s present in the echo", absent)
		}
	}
}

func TestRPCv2AuthFailures(t *testing.T) {
	h := newHarness(t, 0)
	describe := func() rawRequest {
		return cborRequest("DescribeCertificateAuthority", cbor.Map{"CertificateAuthorityArn": cbor.String(caARN)})
	}
	tests := []struct {
		name   string
		mutate func(*rawRequest)
		code   string
		status int
		msg    string
	}{
		{"wrong secret", func(r *rawRequest) { r.secret = "not-the-secret" }, "InvalidSignatureException", 400,
			"The request signature we calculated does not match the signature you provided."},
		{"unknown access key", func(r *rawRequest) { r.key = "AKIANOBODYNOBODY0001" }, "UnrecognizedClientException", 400,
			"The security token included in the request is invalid."},
		{"missing Authorization", func(r *rawRequest) { r.noSign = true }, "MissingAuthenticationTokenException", 400, "Missing Authentication Token"},
		{"garbled Authorization", func(r *rawRequest) {
			r.noSign = true
			r.header["Authorization"] = "AWS4-HMAC-SHA256 Credential=garbage"
		}, "IncompleteSignatureException", 400, ""},
		{"16 minutes of skew", func(r *rawRequest) { r.at = time.Now().Add(-16 * time.Minute) }, "InvalidSignatureException", 400, "Signature expired: "},
		{"unknown region", func(r *rawRequest) { r.region = "eu-west-9" }, "InvalidSignatureException", 400,
			"Credential should be scoped to a valid region, not 'eu-west-9'."},
		// The path names the service before the scope does.
		{"unknown service in scope", func(r *rawRequest) { r.service = "s3" }, "InvalidSignatureException", 400,
			"Credential should be scoped to correct service: 'acm-pca'."},
		{"expired session credentials", func(r *rawRequest) { r.key, r.secret, r.token = expiredKey, expiredSecret, expiredToken },
			"ExpiredTokenException", 400, "The security token included in the request is expired"},
		{"credential store failure", func(r *rawRequest) { r.key = failingKey }, "InternalFailure", 500, "We encountered an internal error. Please try again."},
		{"8 MiB body", func(r *rawRequest) { r.body = append(r.body, make([]byte, 8<<20)...) }, "RequestEntityTooLargeException", 413,
			"Request body exceeds the maximum size of 5242880 bytes."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := describe()
			tc.mutate(&req)
			resp, body := h.do(req)
			h.checkCommonHeaders(resp)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d; body %x", resp.StatusCode, tc.status, body)
			}
			code, msg, _ := parseCBORError(t, resp, body)
			if code != tc.code || !strings.Contains(msg, tc.msg) {
				t.Fatalf("%s %q, want %s %q", code, msg, tc.code, tc.msg)
			}
		})
	}
	// Valid session credentials work, and the server still serves.
	req := describe()
	req.key, req.secret, req.token = sessionKey, sessionSecret, sessionToken
	if resp, body := h.do(req); resp.StatusCode != 200 || !bytes.Contains(body, []byte("ACTIVE")) {
		t.Errorf("session credentials: %d %x", resp.StatusCode, body)
	}
}
