package keystore

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// PKCS11Scheme is the handle scheme of keys kept in a PKCS#11 token.
const PKCS11Scheme = "pkcs11"

// PKCS11Config selects a token: the module (shared library), the token
// label and the user PIN.
type PKCS11Config struct {
	Module string
	Token  string
	PIN    string
}

// ErrNoPKCS11 is returned by OpenPKCS11 in a binary built without PKCS#11
// support (it needs cgo and the build tag "pkcs11").
var ErrNoPKCS11 = errors.New("keystore: this binary was built without PKCS#11 support (rebuild with CGO_ENABLED=1 -tags pkcs11)")

// ClosableKeyStore is a KeyStore holding a resource (a token session pool).
type ClosableKeyStore interface {
	KeyStore
	Close() error
}

// PKCS11Handle is the RFC 7512 URI a token key is stored under:
// "pkcs11:token=<label>;id=<%xx bytes>". It names the key; it is not the key.
func PKCS11Handle(token string, id []byte) string {
	var b strings.Builder
	b.WriteString(PKCS11Scheme + ":token=")
	b.WriteString(pctEncode([]byte(token), true))
	b.WriteString(";id=")
	b.WriteString(pctEncode(id, false))
	return b.String()
}

// ParsePKCS11Handle returns the token label and key id of a handle made by
// PKCS11Handle. Other attributes (RFC 7512 allows many) are refused: a
// handle read back must address exactly one key.
func ParsePKCS11Handle(handle string) (token string, id []byte, err error) {
	rest, ok := strings.CutPrefix(handle, PKCS11Scheme+":")
	if !ok {
		return "", nil, fmt.Errorf("%w: %q", ErrBadHandle, handle)
	}
	var haveToken, haveID bool
	for _, attr := range strings.Split(rest, ";") {
		k, v, ok := strings.Cut(attr, "=")
		if !ok {
			return "", nil, fmt.Errorf("%w: %q", ErrBadHandle, handle)
		}
		dec, err := url.PathUnescape(v)
		if err != nil {
			return "", nil, fmt.Errorf("%w: %q", ErrBadHandle, handle)
		}
		switch {
		case k == "token" && !haveToken:
			token, haveToken = dec, true
		case k == "id" && !haveID:
			id, haveID = []byte(dec), true
		default:
			return "", nil, fmt.Errorf("%w: %q", ErrBadHandle, handle)
		}
	}
	if !haveToken || !haveID || token == "" || len(id) == 0 {
		return "", nil, fmt.Errorf("%w: %q", ErrBadHandle, handle)
	}
	return token, id, nil
}

// pctEncode percent-encodes every byte except, when text, RFC 3986
// unreserved characters (RFC 7512 §2.3).
func pctEncode(b []byte, text bool) string {
	const hex = "0123456789abcdef"
	var sb strings.Builder
	for _, c := range b {
		if text && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			sb.WriteByte(c)
			continue
		}
		sb.WriteByte('%')
		sb.WriteByte(hex[c>>4])
		sb.WriteByte(hex[c&15])
	}
	return sb.String()
}
