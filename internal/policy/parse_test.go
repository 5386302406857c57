package policy

import (
	"errors"
	"strings"
	"testing"
)

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		doc  string
	}{
		{"statement object", Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`},
		{"version 2008", Identity, `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{"no version", Identity, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{"Id and Sid", Identity, `{"Version":"2012-10-17","Id":"pol","Statement":[{"Sid":"A1","Effect":"Deny","NotAction":"iam:*","NotResource":"arn:aws:iam::*:role/x"}]}`},
		{"duplicate Sids", Resource, accountSharePolicy},
		{"principal star", Resource, orgSharePolicy},
		{"principal root ARN", Resource, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"acm-pca:GetCertificate","Resource":"*"}}`},
		{"principal user role session arrays", Resource, `{"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:user/a/b","arn:aws:iam::123456789012:role/r","arn:aws:sts::123456789012:assumed-role/r/s"]},"Action":"acm-pca:GetCertificate","Resource":"*"}}`},
		{"principal other partition", Resource, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws-cn:iam::123456789012:root"},"Action":"acm-pca:GetCertificate","Resource":"*"}}`},
		{"principal service and federated", Trust, `{"Statement":{"Effect":"Allow","Principal":{"Service":["acm.amazonaws.com"],"Federated":"arn:aws:iam::123456789012:saml-provider/x"},"Action":"sts:AssumeRoleWithSAML"}}`},
		{"NotPrincipal deny", Resource, `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"*","Resource":"*"}}`},
		{"trust policy", Trust, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}}`},
		{"scp without resource", SCP, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*"}}`},
		{"scp deny with condition", SCP, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}}}`},
		{"condition numbers and bools", Identity, `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"n":[1,2.5]},"Bool":{"b":false}}}}`},
		{"all operator families", Identity, condDoc(Version2012, `{"ForAllValues:StringLikeIfExists":{"a":"x"},"DateGreaterThan":{"d":"2026-01-01T00:00:00Z"},"BinaryEquals":{"b":"QUJD"},"NotIpAddress":{"i":"::1"},"ArnNotEquals":{"r":"arn:aws:s3:::b"},"Null":{"n":"true"}}`)},
		{"action case and wildcards", Identity, `{"Statement":{"Effect":"Allow","Action":["ACM-PCA:Get*","acm-pca:?ssue*"],"Resource":"*"}}`},
		{"whitespace around document", Identity, " \n{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}\n\t"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse([]byte(tc.doc), tc.kind); err != nil {
				t.Fatalf("Parse: %v", err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	okStmt := `{"Effect":"Allow","Action":"*","Resource":"*"}`
	two := func(second string) string {
		return `{"Version":"2012-10-17","Statement":[` + okStmt + `,` + second + `]}`
	}
	tests := []struct {
		name      string
		kind      Kind
		doc       string
		statement int
		field     string
		contains  string
	}{
		{"not JSON", Identity, `{"Statement":`, -1, "", "invalid JSON"},
		{"empty", Identity, ``, -1, "", "invalid JSON"},
		{"trailing data", Identity, `{"Statement":` + okStmt + `} {}`, -1, "", "after the document"},
		{"trailing garbage", Identity, `{"Statement":` + okStmt + `}x`, -1, "", "after the document"},
		{"array document", Identity, `[` + okStmt + `]`, -1, "", "JSON object"},
		{"unknown top-level key", Identity, `{"Statement":` + okStmt + `,"Foo":1}`, -1, "Foo", "not a valid top-level element"},
		{"duplicate top-level key", Identity, `{"Statement":` + okStmt + `,"Statement":` + okStmt + `}`, -1, "Statement", "more than once"},
		{"bad version", Identity, `{"Version":"2020-01-01","Statement":` + okStmt + `}`, -1, "Version", "2012-10-17"},
		{"version not string", Identity, `{"Version":2012,"Statement":` + okStmt + `}`, -1, "Version", "2012-10-17"},
		{"Id not string", Identity, `{"Id":1,"Statement":` + okStmt + `}`, -1, "Id", "string"},
		{"no statement", Identity, `{"Version":"2012-10-17"}`, -1, "Statement", "required"},
		{"empty statement array", Identity, `{"Statement":[]}`, -1, "Statement", "empty"},
		{"statement string", Identity, `{"Statement":"x"}`, -1, "Statement", "object"},
		{"statement element not object", Identity, `{"Statement":[` + okStmt + `,1]}`, 1, "", "JSON object"},
		{"bad effect", Identity, two(`{"Sid":"x","Effect":"allow","Action":"*","Resource":"*"}`), 1, "Effect", `Statement[1] (Sid "x"): Effect must be "Allow" or "Deny"`},
		{"missing effect", Identity, two(`{"Action":"*","Resource":"*"}`), 1, "Effect", "required"},
		{"sid not string", Identity, two(`{"Sid":3,"Effect":"Allow","Action":"*","Resource":"*"}`), 1, "Sid", "string"},
		{"unknown statement key", Identity, two(`{"Sid":"k","Effect":"Allow","Action":"*","Resource":"*","Actions":"*"}`), 1, "Actions", `(Sid "k")`},
		{"duplicate statement key", Identity, two(`{"Effect":"Allow","Action":"*","Action":"*","Resource":"*"}`), 1, "Action", "more than once"},
		{"no action", Identity, two(`{"Effect":"Allow","Resource":"*"}`), 1, "Action", "exactly one"},
		{"action and notaction", Identity, two(`{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}`), 1, "Action", "exactly one"},
		{"action empty array", Identity, two(`{"Effect":"Allow","Action":[],"Resource":"*"}`), 1, "Action", "empty"},
		{"action not string", Identity, two(`{"Effect":"Allow","Action":[1],"Resource":"*"}`), 1, "Action", "string"},
		{"action without service", Identity, two(`{"Effect":"Allow","Action":"GetObject","Resource":"*"}`), 1, "Action", "not a valid action"},
		{"action bad service", Identity, two(`{"Effect":"Allow","Action":"s3_x:Get","Resource":"*"}`), 1, "Action", "not a valid action"},
		{"action empty op", Identity, two(`{"Effect":"Allow","Action":"s3:","Resource":"*"}`), 1, "Action", "not a valid action"},
		{"notaction bad", Identity, two(`{"Effect":"Allow","NotAction":"s3:Get Object","Resource":"*"}`), 1, "NotAction", "not a valid action"},
		{"identity no resource", Identity, two(`{"Effect":"Allow","Action":"*"}`), 1, "Resource", "required"},
		{"resource and notresource", Identity, two(`{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"*"}`), 1, "Resource", "cannot both"},
		{"resource not ARN", Identity, two(`{"Effect":"Allow","Action":"*","Resource":"bucket"}`), 1, "Resource", "ARN"},
		{"resource object", Identity, two(`{"Effect":"Allow","Action":"*","Resource":{"a":1}}`), 1, "Resource", "string"},
		{"identity with principal", Identity, two(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`), 1, "Principal", "not allowed"},
		{"scp with principal", SCP, `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"*","Resource":"*"}}`, 0, "NotPrincipal", "not allowed"},
		{"scp allow with condition", SCP, `{"Statement":{"Effect":"Allow","Action":"*","Condition":{"Bool":{"a":"true"}}}}`, 0, "Condition", "SCP"},
		{"scp allow with notaction", SCP, `{"Statement":{"Effect":"Allow","NotAction":"iam:*"}}`, 0, "NotAction", "SCP"},
		{"resource policy without principal", Resource, `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, 0, "Principal", "required"},
		{"resource policy without resource", Resource, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"*"}}`, 0, "Resource", "required"},
		{"principal and notprincipal", Resource, `{"Statement":{"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"*","Resource":"*"}}`, 0, "Principal", "cannot both"},
		{"principal bad string", Resource, `{"Statement":{"Effect":"Allow","Principal":"123456789012","Action":"*","Resource":"*"}}`, 0, "Principal", `"*"`},
		{"principal empty object", Resource, `{"Statement":{"Effect":"Allow","Principal":{},"Action":"*","Resource":"*"}}`, 0, "Principal", "non-empty"},
		{"principal unknown type", Resource, `{"Statement":{"Effect":"Allow","Principal":{"IAM":"x"},"Action":"*","Resource":"*"}}`, 0, "Principal.IAM", "principal type"},
		{"principal short account", Resource, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"12345"},"Action":"*","Resource":"*"}}`, 0, "Principal.AWS", "not a valid principal"},
		{"principal partial wildcard", Resource, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/*"},"Action":"*","Resource":"*"}}`, 0, "Principal.AWS", "not a valid principal"},
		{"principal wildcard account", Resource, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:root"},"Action":"*","Resource":"*"}}`, 0, "Principal.AWS", "not a valid principal"},
		{"principal group ARN", Resource, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:group/g"},"Action":"*","Resource":"*"}}`, 0, "Principal.AWS", "not a valid principal"},
		{"principal session without name", Resource, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::123456789012:assumed-role/r"},"Action":"*","Resource":"*"}}`, 0, "Principal.AWS", "not a valid principal"},
		{"principal service wildcard", Resource, `{"Statement":{"Effect":"Allow","Principal":{"Service":"*.amazonaws.com"},"Action":"*","Resource":"*"}}`, 0, "Principal.Service", "wildcards"},
		{"principal empty array", Resource, `{"Statement":{"Effect":"Allow","Principal":{"AWS":[]},"Action":"*","Resource":"*"}}`, 0, "Principal.AWS", "empty"},
		{"trust without principal", Trust, `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`, 0, "Principal", "required"},
		{"trust with resource", Trust, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}}`, 0, "Resource", "not allowed"},
		{"trust non-sts action", Trust, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}}`, 0, "Action", "sts"},
		{"condition not object", Identity, two(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":[]}`), 1, "Condition", "object"},
		{"unknown operator", Identity, two(`{"Sid":"c","Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqual":{"a":"b"}}}`), 1, "Condition.StringEqual", "not a valid condition operator"},
		{"null with IfExists", Identity, two(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NullIfExists":{"a":"true"}}}`), 1, "Condition.NullIfExists", "not a valid condition operator"},
		{"bad set qualifier", Identity, two(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForSomeValues:StringEquals":{"a":"b"}}}`), 1, "Condition.ForSomeValues:StringEquals", "operator"},
		{"operator value not object", Identity, two(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":"x"}}`), 1, "Condition.StringEquals", "object"},
		{"duplicate condition key", Identity, two(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a":"1","a":"2"}}}`), 1, "Condition.StringEquals", "more than once"},
		{"condition null value", Identity, two(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a":null}}}`), 1, "Condition.StringEquals", `key "a"`},
		{"condition nested object value", Identity, two(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a":{"b":"c"}}}}`), 1, "Condition.StringEquals", "value must be"},
		{"condition empty values", Identity, two(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a":[]}}}`), 1, "Condition.StringEquals", "empty"},
		{"bad number", Identity, two(`{"Sid":"n","Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"a":"ten"}}}`), 1, "Condition.NumericLessThan", `(Sid "n")`},
		{"bad date", Identity, two(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}}`), 1, "Condition.DateLessThan", "not a valid value"},
		{"bad CIDR", Identity, two(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}`), 1, "Condition.IpAddress", "not a valid value"},
		{"bad bool", Identity, two(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"a":"yes"}}}`), 1, "Condition.Bool", "not a valid value"},
		{"bad null value", Identity, two(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Null":{"a":"maybe"}}}`), 1, "Condition.Null", "not a valid value"},
		{"bad base64", Identity, two(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"BinaryEquals":{"a":"***"}}}`), 1, "Condition.BinaryEquals", "not a valid value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc), tc.kind)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want *ParseError", err)
			}
			if pe.Statement != tc.statement || pe.Field != tc.field {
				t.Errorf("error at Statement %d Field %q, want %d %q (%v)", pe.Statement, pe.Field, tc.statement, tc.field, err)
			}
			if !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("error %q does not contain %q", err, tc.contains)
			}
		})
	}
}

func TestParseErrorText(t *testing.T) {
	tests := []struct {
		name string
		err  ParseError
		want string
	}{
		{"statement with sid", ParseError{Statement: 1, Sid: "x", Field: "Effect", Msg: `must be "Allow" or "Deny"`}, `Statement[1] (Sid "x"): Effect must be "Allow" or "Deny"`},
		{"statement without sid", ParseError{Statement: 0, Field: "Action", Msg: "is required"}, `Statement[0]: Action is required`},
		{"document level", ParseError{Statement: -1, Field: "Version", Msg: "is bad"}, `Version is bad`},
		{"no field", ParseError{Statement: -1, Msg: "invalid JSON: x"}, `invalid JSON: x`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		doc  string
		want string // canonical form; empty to check only the round trip
	}{
		{"account share", Resource, accountSharePolicy, ""},
		{"org share", Resource, orgSharePolicy, ""},
		{"ou share", Resource, ouSharePolicy, ""},
		{"minimal", Identity, `{"Statement":{"Action":"*","Resource":"*","Effect":"Allow"}}`, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{"numbers become strings", Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericEquals":{"n":[1,2e1]},"Bool":{"b":true}}}}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericEquals":{"n":["1","2e1"]},"Bool":{"b":"true"}}}]}`},
		{"AWS star kept", Resource, `{"Statement":{"Effect":"Deny","Principal":{"Service":"a.amazonaws.com","AWS":"*"},"NotAction":["s3:A","s3:B"],"NotResource":"*"}}`,
			`{"Statement":[{"Effect":"Deny","Principal":{"AWS":"*","Service":"a.amazonaws.com"},"NotAction":["s3:A","s3:B"],"NotResource":"*"}]}`},
		{"escapes", Identity, `{"Id":"a\"b\\c\u0001\u00e9","Statement":{"Sid":"<&>","Effect":"Allow","Action":"*","Resource":"*"}}`,
			"{\"Id\":\"a\\\"b\\\\c\\u0001\u00e9\",\"Statement\":[{\"Sid\":\"<&>\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"},
		{"trust", Trust, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotPrincipal":{"AWS":["111122223333","arn:aws:iam::111122223333:role/r"]},"Action":"sts:AssumeRole"}}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, tc.doc, tc.kind)
			b1, err := d.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if tc.want != "" && string(b1) != tc.want {
				t.Errorf("canonical\n got %s\nwant %s", b1, tc.want)
			}
			d2 := mustParse(t, string(b1), tc.kind)
			b2, _ := d2.MarshalJSON()
			if string(b1) != string(b2) {
				t.Errorf("not stable:\n%s\n%s", b1, b2)
			}
			if len(d2.Statements) != len(d.Statements) || d2.Version != d.Version || d2.ID != d.ID {
				t.Errorf("documents differ: %+v vs %+v", d, d2)
			}
		})
	}
}
