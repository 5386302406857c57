package sigv4

import (
	"reflect"
	"strings"
	"testing"
)

const goodSig = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"

func TestParseAuthorizationAccepts(t *testing.T) {
	want := &Authorization{
		AccessKeyID:   "AKIDEXAMPLE",
		Date:          "20150830",
		Region:        "us-east-1",
		Service:       "iam",
		SignedHeaders: []string{"content-type", "host", "x-amz-date"},
		Signature:     goodSig,
	}
	cases := []struct{ name, header string }{
		{"canonical", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" + goodSig},
		{"no spaces after commas", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request,SignedHeaders=content-type;host;x-amz-date,Signature=" + goodSig},
		{"several spaces", "AWS4-HMAC-SHA256   Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request,   SignedHeaders=content-type;host;x-amz-date,  Signature=" + goodSig + "  "},
		{"signature first", "AWS4-HMAC-SHA256 Signature=" + goodSig + ", Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date"},
		{"signed headers first", "AWS4-HMAC-SHA256 SignedHeaders=content-type;host;x-amz-date, Signature=" + goodSig + ", Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request"},
		{"upper-case hex normalised", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" + strings.ToUpper(goodSig)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseAuthorization(c.header)
			if err != nil {
				t.Fatalf("ParseAuthorization: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %+v, want %+v", got, want)
			}
			again, err := ParseAuthorization(got.String())
			if err != nil || !reflect.DeepEqual(again, want) {
				t.Fatalf("round trip of %q: %+v, %v", got.String(), again, err)
			}
		})
	}
}

func TestParseAuthorizationRejects(t *testing.T) {
	const cred = "Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request"
	const sh = "SignedHeaders=host;x-amz-date"
	const sig = "Signature=" + goodSig
	ok := func(parts ...string) string { return "AWS4-HMAC-SHA256 " + strings.Join(parts, ", ") }
	cases := []struct {
		name, header string
		kind         ErrorKind
		msgHas       string
	}{
		{"empty", "", MissingAuthentication, "Missing Authentication Token"},
		{"blank", "   ", MissingAuthentication, "Missing Authentication Token"},
		{"other algorithm", "AWS4-HMAC-SHA512 " + cred + ", " + sh + ", " + sig, IncompleteSignature, "'AWS4-HMAC-SHA512'"},
		{"basic auth not echoed", "Basic dXNlcjpzZWNyZXRwYXNzd29yZA==", IncompleteSignature, "must use the AWS4-HMAC-SHA256 scheme"},
		{"bare secret not echoed", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", IncompleteSignature, "must use the AWS4-HMAC-SHA256 scheme"},
		{"sigv2", "AWS AKIDEXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=", IncompleteSignature, "'AWS'"},
		{"algorithm only", "AWS4-HMAC-SHA256", IncompleteSignature, "requires 'Credential' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires 'Signature' parameter."},
		{"missing signature", ok(cred, sh), IncompleteSignature, "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256"},
		{"missing credential", ok(sh, sig), IncompleteSignature, "requires 'Credential' parameter"},
		{"missing signed headers", ok(cred, sig), IncompleteSignature, "requires 'SignedHeaders' parameter"},
		{"duplicate credential", ok(cred, cred, sh, sig), IncompleteSignature, "duplicate 'Credential'"},
		{"unknown parameter", ok(cred, sh, sig, "Extra=1"), IncompleteSignature, "Unsupported parameter 'Extra'"},
		{"trailing comma", ok(cred, sh, sig) + ",", IncompleteSignature, "missing equal-sign"},
		{"no equal sign", ok(cred, "SignedHeaders", sig), IncompleteSignature, "missing equal-sign"},
		{"lower-case parameter name", ok("credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request", sh, sig), IncompleteSignature, "Unsupported parameter"},
		{"scope too short", ok("Credential=AKIDEXAMPLE/20150830/us-east-1/aws4_request", sh, sig), IncompleteSignature, "Credential must have the form"},
		{"scope too long", ok("Credential=AKIDEXAMPLE/20150830/us-east-1/iam/x/aws4_request", sh, sig), IncompleteSignature, "Credential must have the form"},
		{"bad terminator", ok("Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws5_request", sh, sig), IncompleteSignature, "valid terminator: 'aws4_request', not 'aws5_request'"},
		{"bad date", ok("Credential=AKIDEXAMPLE/2015083/us-east-1/iam/aws4_request", sh, sig), IncompleteSignature, "yyyyMMdd"},
		{"impossible date", ok("Credential=AKIDEXAMPLE/20151330/us-east-1/iam/aws4_request", sh, sig), IncompleteSignature, "yyyyMMdd"},
		{"empty region", ok("Credential=AKIDEXAMPLE/20150830//iam/aws4_request", sh, sig), IncompleteSignature, "valid region"},
		{"empty service", ok("Credential=AKIDEXAMPLE/20150830/us-east-1//aws4_request", sh, sig), IncompleteSignature, "correct service"},
		{"service with space", ok("Credential=AKIDEXAMPLE/20150830/us-east-1/i am/aws4_request", sh, sig), IncompleteSignature, "correct service: 'i am'"},
		{"empty access key", ok("Credential=/20150830/us-east-1/iam/aws4_request", sh, sig), IncompleteSignature, "access key ID"},
		{"short signature", ok(cred, sh, "Signature="+goodSig[:63]), IncompleteSignature, "64 hexadecimal"},
		{"long signature", ok(cred, sh, "Signature="+goodSig+"0"), IncompleteSignature, "64 hexadecimal"},
		{"non-hex signature", ok(cred, sh, "Signature="+goodSig[:63]+"g"), IncompleteSignature, "64 hexadecimal"},
		{"empty signed headers", ok(cred, "SignedHeaders=", sig), IncompleteSignature, "empty 'SignedHeaders'"},
		{"empty header name", ok(cred, "SignedHeaders=host;;x-amz-date", sig), IncompleteSignature, "empty header name"},
		{"unsorted signed headers", ok(cred, "SignedHeaders=x-amz-date;host", sig), IncompleteSignature, "sorted and unique"},
		{"duplicate signed header", ok(cred, "SignedHeaders=host;host;x-amz-date", sig), IncompleteSignature, "sorted and unique"},
		{"upper-case signed header", ok(cred, "SignedHeaders=Host;x-amz-date", sig), IncompleteSignature, "lower-case"},
		{"invalid header name", ok(cred, "SignedHeaders=host;x amz", sig), IncompleteSignature, "invalid header name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := ParseAuthorization(c.header)
			if err == nil {
				t.Fatalf("accepted %q as %+v", c.header, a)
			}
			if kindOf(err) != c.kind {
				t.Fatalf("kind = %d, want %d (%v)", kindOf(err), c.kind, err)
			}
			if !strings.Contains(err.Error(), c.msgHas) {
				t.Fatalf("message %q lacks %q", err.Error(), c.msgHas)
			}
			if strings.Contains(err.Error(), "dXNlcjpzZWNyZXRwYXNzd29yZA") || strings.Contains(err.Error(), "frJIUN8") || strings.Contains(err.Error(), "EXAMPLEKEY") {
				t.Fatalf("message echoes a foreign credential: %q", err.Error())
			}
		})
	}
}

func TestParseAuthorizationClipsEcho(t *testing.T) {
	_, err := ParseAuthorization("AWS4-HMAC-SHA256 Credential=" + strings.Repeat("A", 10000))
	if err == nil || len(err.Error()) > 2*maxEcho {
		t.Fatalf("error %d bytes long: %v", len(err.Error()), err)
	}
}
