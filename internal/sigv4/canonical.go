package sigv4

import (
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

const upperHex = "0123456789ABCDEF"

// CanonicalRequest returns the SigV4 canonical request of r over exactly
// signedHeaders (lower-case, sorted), with payloadHash as its last line.
func CanonicalRequest(r *http.Request, signedHeaders []string, payloadHash string) string {
	return string(appendCanonicalRequest(nil, r, signedHeaders, []byte(payloadHash)))
}

// StringToSign returns the SigV4 string to sign.
func StringToSign(amzDate, scope, canonicalRequestHash string) string {
	return string(appendStringToSign(nil, amzDate, scope, canonicalRequestHash))
}

func appendStringToSign(dst []byte, amzDate, scope, crHash string) []byte {
	dst = append(dst, Algorithm...)
	dst = append(dst, '\n')
	dst = append(dst, amzDate...)
	dst = append(dst, '\n')
	dst = append(dst, scope...)
	dst = append(dst, '\n')
	return append(dst, crHash...)
}

func appendCanonicalRequest(dst []byte, r *http.Request, signedHeaders []string, payloadHash []byte) []byte {
	dst = append(dst, r.Method...)
	dst = append(dst, '\n')
	dst = appendCanonicalURI(dst, rawPath(r))
	dst = append(dst, '\n')
	if r.URL != nil {
		dst = appendCanonicalQuery(dst, r.URL.RawQuery)
	}
	dst = append(dst, '\n')
	for _, h := range signedHeaders {
		dst = append(dst, h...)
		dst = append(dst, ':')
		dst = appendHeaderValue(dst, r, h)
		dst = append(dst, '\n')
	}
	dst = append(dst, '\n')
	for i, h := range signedHeaders {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = append(dst, h...)
	}
	dst = append(dst, '\n')
	return append(dst, payloadHash...)
}

// rawPath is the escaped path as the client sent it. A server request keeps
// it in RequestURI (untouched by routing or StripPrefix); a client-side
// request has only URL, whose EscapedPath is what Go clients put on the wire.
func rawPath(r *http.Request) string {
	if u := r.RequestURI; u != "" && u[0] == '/' {
		if i := strings.IndexByte(u, '?'); i >= 0 {
			u = u[:i]
		}
		return u
	}
	if r.URL == nil {
		return ""
	}
	return r.URL.EscapedPath()
}

func unreserved(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// appendCanonicalURI encodes the already-escaped path once more, keeping
// '/': the non-S3 rule that every AWS client applies.
func appendCanonicalURI(dst []byte, path string) []byte {
	if path == "" {
		return append(dst, '/')
	}
	for i := 0; i < len(path); i++ {
		c := path[i]
		if unreserved(c) || c == '/' {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return dst
}

// appendEncoded percent-encodes everything outside the RFC 3986 unreserved set.
func appendEncoded(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return dst
}

// encodeComponent decodes a raw query name or value (form rules: '+' is a
// space) and re-encodes it canonically; ok is false when it does not decode.
func encodeComponent(raw string) (string, bool) {
	clean := true
	for i := 0; i < len(raw); i++ {
		if !unreserved(raw[i]) {
			clean = false
			break
		}
	}
	if clean {
		return raw, true // common case: no allocation
	}
	dec, err := url.QueryUnescape(raw)
	if err != nil {
		return "", false
	}
	return string(appendEncoded(make([]byte, 0, len(dec)+8), dec)), true
}

type queryPair struct{ name, value string }

// appendCanonicalQuery decodes rawQuery exactly as url.ParseQuery does
// (dropping pairs it would drop, which clients' signers drop too), encodes
// every name and value, and sorts the encoded pairs by name then value.
func appendCanonicalQuery(dst []byte, rawQuery string) []byte {
	if rawQuery == "" {
		return dst
	}
	var buf [16]queryPair
	pairs := buf[:0]
	for q := rawQuery; q != ""; {
		var seg string
		seg, q, _ = strings.Cut(q, "&")
		if seg == "" || strings.IndexByte(seg, ';') >= 0 {
			continue
		}
		n, v, _ := strings.Cut(seg, "=")
		en, ok := encodeComponent(n)
		if !ok {
			continue
		}
		ev, ok := encodeComponent(v)
		if !ok {
			continue
		}
		pairs = append(pairs, queryPair{en, ev})
	}
	slices.SortFunc(pairs, func(a, b queryPair) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
	for i, p := range pairs {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, p.name...)
		dst = append(dst, '=')
		dst = append(dst, p.value...)
	}
	return dst
}

// canonicalKeys avoids an allocation per lookup for headers clients sign.
var canonicalKeys = map[string]string{
	"content-type":          "Content-Type",
	"content-length":        "Content-Length",
	"content-encoding":      "Content-Encoding",
	"x-amz-date":            "X-Amz-Date",
	"x-amz-target":          "X-Amz-Target",
	"x-amz-security-token":  "X-Amz-Security-Token",
	"x-amz-content-sha256":  "X-Amz-Content-Sha256",
	"x-amz-user-agent":      "X-Amz-User-Agent",
	"x-amz-api-version":     "X-Amz-Api-Version",
	"amz-sdk-invocation-id": "Amz-Sdk-Invocation-Id",
	"amz-sdk-request":       "Amz-Sdk-Request",
	"user-agent":            "User-Agent",
	"accept":                "Accept",
	"date":                  "Date",
}

// headerValues returns r's values for the lower-case header name.
func headerValues(h http.Header, name string) []string {
	key, ok := canonicalKeys[name]
	if !ok {
		key = textproto.CanonicalMIMEHeaderKey(name)
	}
	if v, ok := h[key]; ok {
		return v
	}
	// Requests built in code may hold non-canonical keys.
	var out []string
	for k, v := range h {
		if strings.EqualFold(k, name) {
			out = append(out, v...)
		}
	}
	return out
}

// appendHeaderValue appends the canonical value of one signed header:
// values trimmed, runs of spaces collapsed, several values joined by ','.
// Go keeps Host, and for built requests Content-Length and
// Transfer-Encoding, outside Header.
func appendHeaderValue(dst []byte, r *http.Request, name string) []byte {
	switch name {
	case "host":
		host := r.Host
		if host == "" && r.URL != nil {
			host = r.URL.Host
		}
		return appendTrimmed(dst, host)
	case "content-length":
		if _, ok := r.Header["Content-Length"]; !ok && r.ContentLength >= 0 {
			return strconv.AppendInt(dst, r.ContentLength, 10)
		}
	case "transfer-encoding":
		if _, ok := r.Header["Transfer-Encoding"]; !ok && len(r.TransferEncoding) > 0 {
			return append(dst, strings.Join(r.TransferEncoding, ",")...)
		}
	}
	for i, v := range headerValues(r.Header, name) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendTrimmed(dst, v)
	}
	return dst
}

// appendTrimmed appends strings.TrimSpace(v) with each run of spaces
// collapsed to one, as the AWS SDKs do.
func appendTrimmed(dst []byte, v string) []byte {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "  ") {
		return append(dst, v...)
	}
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' && i > 0 && v[i-1] == ' ' {
			continue
		}
		dst = append(dst, v[i])
	}
	return dst
}
