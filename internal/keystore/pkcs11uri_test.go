package keystore

import (
	"bytes"
	"errors"
	"testing"
)

func TestPKCS11Handle(t *testing.T) {
	for _, tc := range []struct {
		token string
		id    []byte
		want  string
	}{
		{"openpca", []byte{0x01, 0xab}, "pkcs11:token=openpca;id=%01%ab"},
		{"my token;x=y", []byte("k"), "pkcs11:token=my%20token%3bx%3dy;id=%6b"},
	} {
		h := PKCS11Handle(tc.token, tc.id)
		if h != tc.want {
			t.Errorf("PKCS11Handle(%q) = %q, want %q", tc.token, h, tc.want)
		}
		tok, id, err := ParsePKCS11Handle(h)
		if err != nil || tok != tc.token || !bytes.Equal(id, tc.id) {
			t.Errorf("ParsePKCS11Handle(%q) = %q %x %v", h, tok, id, err)
		}
	}
	for _, bad := range []string{
		"", "pkcs11:", "softkms:00", "pkcs11:token=t", "pkcs11:id=%01", "pkcs11:token=;id=%01",
		"pkcs11:token=t;id=", "pkcs11:token=t;id=%zz", "pkcs11:token=t;id=%01;object=x",
		"pkcs11:token=t;token=u;id=%01", "pkcs11:token=t;id", "pkcs11:token=t;id=%01;id=%02",
	} {
		if _, _, err := ParsePKCS11Handle(bad); !errors.Is(err, ErrBadHandle) {
			t.Errorf("ParsePKCS11Handle(%q): err = %v", bad, err)
		}
	}
}

// FuzzParsePKCS11Handle: a handle either fails with ErrBadHandle or parses
// to a token and id that PKCS11Handle turns into a handle parsing the same.
func FuzzParsePKCS11Handle(f *testing.F) {
	f.Add("pkcs11:token=openpca;id=%01%ab")
	f.Add("pkcs11:token=a%20b;id=x")
	f.Add("pkcs11:id=%00;token=t")
	f.Fuzz(func(t *testing.T, h string) {
		tok, id, err := ParsePKCS11Handle(h)
		if err != nil {
			if !errors.Is(err, ErrBadHandle) {
				t.Fatalf("error kind: %v", err)
			}
			return
		}
		tok2, id2, err := ParsePKCS11Handle(PKCS11Handle(tok, id))
		if err != nil || tok2 != tok || !bytes.Equal(id2, id) {
			t.Fatalf("round trip of %q: %q %x %v", h, tok2, id2, err)
		}
	})
}
