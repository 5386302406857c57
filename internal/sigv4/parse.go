package sigv4

import (
	"strings"
	"time"
)

// Algorithm is the only signing algorithm accepted.
const Algorithm = "AWS4-HMAC-SHA256"

const (
	terminator   = "aws4_request"
	shortDateFmt = "20060102"
	// maxEcho bounds how much of a bad header goes back in a message.
	maxEcho = 512
)

// String formats a in the canonical header form; ParseAuthorization of the
// result yields a again.
func (a *Authorization) String() string {
	var b strings.Builder
	b.Grow(len(Algorithm) + 64 + len(a.AccessKeyID) + len(a.Region) + len(a.Service) + len(a.Signature) + 16*len(a.SignedHeaders))
	b.WriteString(Algorithm)
	b.WriteString(" Credential=")
	b.WriteString(a.AccessKeyID)
	b.WriteByte('/')
	b.WriteString(a.Scope())
	b.WriteString(", SignedHeaders=")
	for i, h := range a.SignedHeaders {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(h)
	}
	b.WriteString(", Signature=")
	b.WriteString(a.Signature)
	return b.String()
}

// Scope is the credential scope "date/region/service/aws4_request".
func (a *Authorization) Scope() string {
	return a.Date + "/" + a.Region + "/" + a.Service + "/" + terminator
}

// ParseAuthorization parses a SigV4 Authorization header. An empty header
// gives MissingAuthentication; any malformed one IncompleteSignature.
func ParseAuthorization(header string) (*Authorization, error) {
	header = strings.TrimSpace(header)
	if header == "" {
		return nil, &Error{Kind: MissingAuthentication, Msg: "Missing Authentication Token"}
	}
	alg, rest, _ := strings.Cut(header, " ")
	if alg != Algorithm {
		// Other schemes (Basic, Bearer, a bare key) may carry secrets: name
		// the scheme only when it is an AWS algorithm.
		if strings.HasPrefix(alg, "AWS") && len(alg) <= 32 && isIdent(alg) {
			return nil, incomplete("Unsupported AWS 'algorithm': '" + alg + "'; only " + Algorithm + " is accepted.")
		}
		return nil, incomplete("Authorization header must use the " + Algorithm + " scheme.")
	}

	var cred, signed, sig string
	var haveCred, haveSigned, haveSig bool
	rest = strings.TrimSpace(rest)
	for part := range strings.SplitSeq(rest, ",") {
		if rest == "" {
			break // report every missing parameter below
		}
		part = strings.TrimSpace(part)
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return nil, incomplete("Invalid key=value pair (missing equal-sign) in Authorization header: '" + clip(part, 128) + "'. Authorization=" + clip(header, maxEcho))
		}
		var dup bool
		switch name {
		case "Credential":
			dup, haveCred, cred = haveCred, true, value
		case "SignedHeaders":
			dup, haveSigned, signed = haveSigned, true, value
		case "Signature":
			dup, haveSig, sig = haveSig, true, value
		default:
			return nil, incomplete("Unsupported parameter '" + clip(name, 64) + "' in Authorization header. Authorization=" + clip(header, maxEcho))
		}
		if dup {
			return nil, incomplete("Authorization header has a duplicate '" + name + "' parameter. Authorization=" + clip(header, maxEcho))
		}
	}
	if !haveCred || !haveSigned || !haveSig {
		var b strings.Builder
		for _, m := range []struct {
			have bool
			name string
		}{{haveCred, "Credential"}, {haveSigned, "SignedHeaders"}, {haveSig, "Signature"}} {
			if !m.have {
				b.WriteString("Authorization header requires '" + m.name + "' parameter. ")
			}
		}
		b.WriteString("Authorization=" + clip(header, maxEcho))
		return nil, incomplete(b.String())
	}

	a := &Authorization{}
	if err := parseCredential(a, cred); err != nil {
		return nil, err
	}
	hs, err := parseSignedHeaders(signed)
	if err != nil {
		return nil, err
	}
	a.SignedHeaders = hs
	if a.Signature, err = parseSignature(sig); err != nil {
		return nil, err
	}
	return a, nil
}

func parseCredential(a *Authorization, cred string) error {
	parts := strings.Split(cred, "/")
	if len(parts) != 5 {
		return incomplete("Credential must have the form <AccessKeyId>/<yyyyMMdd>/<region>/<service>/aws4_request, not '" + clip(cred, 256) + "'.")
	}
	if !isKeyID(parts[0]) {
		return incomplete("Credential has an invalid access key ID: '" + clip(parts[0], 128) + "'.")
	}
	if len(parts[1]) != 8 || !isDigits(parts[1]) {
		return incomplete("Invalid credential date. Date is not the required format: yyyyMMdd. Got '" + clip(parts[1], 32) + "'.")
	}
	if _, err := time.Parse(shortDateFmt, parts[1]); err != nil {
		return incomplete("Invalid credential date. Date is not the required format: yyyyMMdd. Got '" + parts[1] + "'.")
	}
	if !isIdent(parts[2]) {
		return incomplete("Credential should be scoped to a valid region, not '" + clip(parts[2], 64) + "'.")
	}
	if !isIdent(parts[3]) {
		return incomplete("Credential should be scoped to correct service: '" + clip(parts[3], 64) + "'.")
	}
	if parts[4] != terminator {
		return incomplete("Credential should be scoped with a valid terminator: 'aws4_request', not '" + clip(parts[4], 64) + "'.")
	}
	a.AccessKeyID, a.Date, a.Region, a.Service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

func parseSignedHeaders(s string) ([]string, error) {
	if s == "" {
		return nil, incomplete("Authorization header has an empty 'SignedHeaders' parameter.")
	}
	hs := make([]string, 0, strings.Count(s, ";")+1)
	for h := range strings.SplitSeq(s, ";") {
		if h == "" {
			return nil, incomplete("SignedHeaders has an empty header name: '" + clip(s, 256) + "'.")
		}
		for i := 0; i < len(h); i++ {
			c := h[i]
			if c >= 'A' && c <= 'Z' {
				return nil, incomplete("SignedHeaders must be lower-case: '" + clip(h, 64) + "'.")
			}
			if !isTokenChar(c) {
				return nil, incomplete("SignedHeaders has an invalid header name: '" + clip(h, 64) + "'.")
			}
		}
		if n := len(hs); n > 0 && hs[n-1] >= h {
			return nil, incomplete("SignedHeaders must be sorted and unique: '" + clip(s, 256) + "'.")
		}
		hs = append(hs, h)
	}
	return hs, nil
}

// parseSignature accepts 64 hex digits and returns them lower-cased.
func parseSignature(s string) (string, error) {
	if len(s) != 64 {
		return "", incomplete("Signature must be 64 hexadecimal characters.")
	}
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
		case c >= 'A' && c <= 'F':
			upper = true
		default:
			return "", incomplete("Signature must be 64 hexadecimal characters.")
		}
	}
	if upper {
		s = strings.ToLower(s)
	}
	return s, nil
}

func incomplete(msg string) *Error { return &Error{Kind: IncompleteSignature, Msg: msg} }

// clip bounds echoed input so that a hostile header cannot bloat responses.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isIdent accepts access key IDs, regions and services: [A-Za-z0-9._-]+.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// isKeyID accepts printable ASCII without spaces: test rigs sign with keys
// such as "FOOBARKEY" or "test", and the lookup decides what exists.
func isKeyID(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// isTokenChar reports whether c may appear in an HTTP header name (RFC 9110 tchar).
func isTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
