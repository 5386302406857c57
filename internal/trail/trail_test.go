package trail

import (
	"encoding/json"
	"testing"

	"github.com/openpca/openpca/internal/authz"
)

func TestIsSecret(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"password", true},
		{"newPassword", true},
		{"secretAccessKey", true},
		{"privateKey", true},
		{"passphrase", true},
		{"sessionToken", true},
		{"authenticationCode1", true},
		{"sAMLAssertion", true},
		{"webIdentityToken", true},
		{"tokenCode", true},
		{"idempotencyToken", false},
		{"nextToken", false},
		{"accessKeyId", false},
		{"certificateAuthorityArn", false},
		{"csr", false},
		{"userName", false},
	} {
		if got := IsSecret(tc.name); got != tc.want {
			t.Errorf("IsSecret(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestRedactNested(t *testing.T) {
	var m map[string]any
	if err := json.Unmarshal([]byte(`{"accessKey":{"accessKeyId":"AKIA1","secretAccessKey":"s3"},
		"list":[{"password":"p"},{"name":"n"}],"credentials":{"sessionToken":"tok","expiration":1}}`), &m); err != nil {
		t.Fatal(err)
	}
	Redact(m)
	b, _ := json.Marshal(m)
	want := `{"accessKey":{"accessKeyId":"AKIA1","secretAccessKey":"HIDDEN_DUE_TO_SECURITY_REASONS"},"credentials":{"expiration":1,"sessionToken":"HIDDEN_DUE_TO_SECURITY_REASONS"},"list":[{"password":"HIDDEN_DUE_TO_SECURITY_REASONS"},{"name":"n"}]}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

func TestIdentityAndUsername(t *testing.T) {
	for _, tc := range []struct {
		name     string
		caller   *authz.Caller
		typ      string
		username string
	}{
		{"root", &authz.Caller{Principal: authz.Principal{Type: authz.TypeAccount, AccountID: "111122223333", ARN: "arn:aws:iam::111122223333:root"}}, "Root", "root"},
		{"user", &authz.Caller{Principal: authz.Principal{Type: authz.TypeUser, AccountID: "111122223333", UserName: "alice", UserID: "AIDA1"}}, "IAMUser", "alice"},
		{"role", &authz.Caller{Principal: authz.Principal{Type: authz.TypeAssumedRole, AccountID: "111122223333", RoleName: "r", SessionName: "s"}}, "AssumedRole", "s"},
		{"service", &authz.Caller{Principal: authz.Principal{Type: authz.TypeService, ServiceName: "acm.amazonaws.com"}}, "AWSService", "acm.amazonaws.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := identityOf(tc.caller).Type; got != tc.typ {
				t.Errorf("type = %q, want %q", got, tc.typ)
			}
			if got := usernameOf(tc.caller); got != tc.username {
				t.Errorf("username = %q, want %q", got, tc.username)
			}
		})
	}
}

func TestTokenRoundTripAndBinding(t *testing.T) {
	tok := makeToken(cursor{Time: 42, ID: "e1"}, "bind1")
	c, err := parseToken(tok, "bind1")
	if err != nil || c.Time != 42 || c.ID != "e1" {
		t.Fatalf("parseToken = %+v, %v", c, err)
	}
	if _, err := parseToken(tok, "bind2"); err == nil {
		t.Error("a token of another query was accepted")
	}
	for _, bad := range []string{"", "!!", "e30", "bm90LWpzb24"} {
		if _, err := parseToken(bad, "bind1"); err == nil {
			t.Errorf("parseToken(%q) accepted", bad)
		}
	}
}

func FuzzParseToken(f *testing.F) {
	f.Add(makeToken(cursor{Time: 1, ID: "x"}, "b"))
	f.Add("")
	f.Add("e30")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseToken(s, "b")
		if err == nil && (c == nil || c.ID == "") {
			t.Fatalf("accepted %q as %+v", s, c)
		}
	})
}
