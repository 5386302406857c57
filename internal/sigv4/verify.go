package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openpca/openpca/internal/clock"
)

const amzDateFmt = "20060102T150405Z"

// Message texts clients see (reference §1.6).
const (
	msgInvalidToken = "The security token included in the request is invalid."
	msgMismatch     = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

// Verifier checks SigV4 header signatures.
type Verifier struct {
	Clock   clock.Clock
	MaxSkew time.Duration // 15 min when zero
}

// Verify checks r (whose body the caller has already read into body) against
// the parsed header. lookup returns (nil, nil) for an unknown key; a lookup
// error is returned unchanged. Failures are *Error.
func (v *Verifier) Verify(r *http.Request, body []byte, auth *Authorization,
	lookup func(accessKeyID string) (*Secret, error)) error {
	return v.verify(r, body, auth, lookup, signingKeys.get)
}

// Precheck runs every check the headers allow — structure, request date,
// scope date, skew, the access key and its session token — without the
// body, so that a server can refuse before reading (and buffering) a body.
// VerifyPayload then finishes with the body and the returned secret.
func (v *Verifier) Precheck(r *http.Request, auth *Authorization,
	lookup func(accessKeyID string) (*Secret, error)) (*Secret, error) {
	if _, err := v.checkHeaders(r, auth); err != nil {
		return nil, err
	}
	return checkKey(r, auth, lookup)
}

// VerifyPayload checks the payload hash and the signature over body, for a
// request Precheck accepted with secret.
func (v *Verifier) VerifyPayload(r *http.Request, body []byte, auth *Authorization, secret *Secret) error {
	amzDate, err := v.checkHeaders(r, auth)
	if err != nil {
		return err
	}
	return verifySignature(r, body, auth, amzDate, secret, signingKeys.get)
}

// verify is Verify with the key derivation injected (benchmarks bypass the cache).
func (v *Verifier) verify(r *http.Request, body []byte, auth *Authorization,
	lookup func(string) (*Secret, error),
	deriveKey func(secret, date, region, service string) *derivedKey) error {
	amzDate, err := v.checkHeaders(r, auth)
	if err != nil {
		return err
	}
	secret, err := checkKey(r, auth, lookup)
	if err != nil {
		return err
	}
	return verifySignature(r, body, auth, amzDate, secret, deriveKey)
}

// checkHeaders checks what needs neither the key nor the body and returns
// the request time in amz format.
func (v *Verifier) checkHeaders(r *http.Request, auth *Authorization) (string, error) {
	if auth == nil {
		return "", &Error{Kind: MissingAuthentication, Msg: "Missing Authentication Token"}
	}
	signed := func(h string) bool {
		_, ok := slices.BinarySearch(auth.SignedHeaders, h)
		return ok
	}
	if !signed("host") {
		return "", incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization. Authorization=" + clip(auth.String(), maxEcho))
	}

	// The request time: X-Amz-Date, or Date when X-Amz-Date is absent.
	var amzDate string
	var reqTime time.Time
	if vals := r.Header["X-Amz-Date"]; len(vals) > 0 {
		if !signed("x-amz-date") {
			return "", incomplete("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization. Authorization=" + clip(auth.String(), maxEcho))
		}
		amzDate = strings.TrimSpace(vals[0])
		t, err := time.Parse(amzDateFmt, amzDate)
		if err != nil || len(amzDate) != len(amzDateFmt) {
			return "", incomplete("Date must be in ISO-8601 'basic format'. Got '" + clip(amzDate, 64) + "'. See http://en.wikipedia.org/wiki/ISO_8601")
		}
		reqTime = t
	} else if vals := r.Header["Date"]; len(vals) > 0 {
		if !signed("date") {
			return "", incomplete("'Date' must be a 'SignedHeader' in the AWS Authorization. Authorization=" + clip(auth.String(), maxEcho))
		}
		raw := strings.TrimSpace(vals[0])
		t, err := time.Parse(amzDateFmt, raw)
		if err != nil {
			if t, err = http.ParseTime(raw); err != nil {
				return "", incomplete("Date must be in ISO-8601 'basic format' or an HTTP date. Got '" + clip(raw, 64) + "'.")
			}
		}
		reqTime = t.UTC()
		amzDate = reqTime.Format(amzDateFmt)
	} else {
		return "", incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + clip(auth.String(), maxEcho))
	}

	if auth.Date != amzDate[:8] {
		return "", &Error{Kind: InvalidScope, Msg: "Credential should be scoped to a valid date, not '" + auth.Date +
			"' (the request date is '" + amzDate + "')."}
	}
	if err := v.checkSkew(reqTime); err != nil {
		return "", err
	}
	return amzDate, nil
}

// checkKey looks the access key up and checks the session token.
func checkKey(r *http.Request, auth *Authorization, lookup func(string) (*Secret, error)) (*Secret, error) {
	secret, err := lookup(auth.AccessKeyID)
	if err != nil {
		return nil, err
	}
	if secret == nil {
		return nil, &Error{Kind: UnknownAccessKey, Msg: msgInvalidToken}
	}
	_, tokenSigned := slices.BinarySearch(auth.SignedHeaders, "x-amz-security-token")
	if err := checkSessionToken(r, secret, tokenSigned); err != nil {
		return nil, err
	}
	return secret, nil
}

// verifySignature checks the payload hash header and the signature.
func verifySignature(r *http.Request, body []byte, auth *Authorization, amzDate string, secret *Secret,
	deriveKey func(secret, date, region, service string) *derivedKey) error {
	var err error
	var sum [sha256.Size]byte
	var payloadHash [2 * sha256.Size]byte
	sum = sha256.Sum256(body)
	hex.Encode(payloadHash[:], sum[:])
	if vals, ok := r.Header["X-Amz-Content-Sha256"]; ok {
		claimed := ""
		if len(vals) > 0 {
			claimed = strings.TrimSpace(vals[0])
		}
		if claimed == "UNSIGNED-PAYLOAD" || strings.HasPrefix(claimed, "STREAMING-") {
			return &Error{Kind: SignatureMismatch, Msg: "Unsigned or streaming payloads are not accepted: 'x-amz-content-sha256' must be the hex SHA-256 of the body."}
		}
		if !equalFoldHex(claimed, payloadHash[:]) {
			return &Error{Kind: SignatureMismatch, Msg: "The provided 'x-amz-content-sha256' header does not match what was computed."}
		}
	}

	bp := bufPool.Get().(*[]byte)
	buf := appendCanonicalRequest((*bp)[:0], r, auth.SignedHeaders, payloadHash[:])
	sum = sha256.Sum256(buf)
	var crHash [2 * sha256.Size]byte
	hex.Encode(crHash[:], sum[:])
	buf = append(buf[:0], Algorithm...)
	buf = append(buf, '\n')
	buf = append(buf, amzDate...)
	buf = append(buf, '\n')
	buf = appendScope(buf, auth)
	buf = append(buf, '\n')
	buf = append(buf, crHash[:]...)

	key := deriveKey(secret.SecretAccessKey, auth.Date, auth.Region, auth.Service)
	n := len(buf)
	buf = key.sign(buf, buf) // the MAC lands after the string to sign
	var given [sha256.Size]byte
	ok := len(auth.Signature) == hex.EncodedLen(sha256.Size) // checked first: Decode trusts dst's size
	if ok {
		_, err = hex.Decode(given[:], []byte(auth.Signature))
		ok = err == nil && hmac.Equal(buf[n:], given[:])
	}
	if cap(buf) <= maxPooledBuf {
		*bp = buf
		bufPool.Put(bp)
	}
	if !ok {
		return &Error{Kind: SignatureMismatch, Msg: msgMismatch}
	}
	return nil
}

// equalFoldHex compares a client-supplied hex digest with ours (lower-case).
func equalFoldHex(claimed string, ours []byte) bool {
	if len(claimed) != len(ours) {
		return false
	}
	for i := 0; i < len(ours); i++ {
		c := claimed[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != ours[i] {
			return false
		}
	}
	return true
}

// appendScope appends "date/region/service/aws4_request".
func appendScope(dst []byte, a *Authorization) []byte {
	dst = append(dst, a.Date...)
	dst = append(dst, '/')
	dst = append(dst, a.Region...)
	dst = append(dst, '/')
	dst = append(dst, a.Service...)
	dst = append(dst, '/')
	return append(dst, terminator...)
}

// maxPooledBuf keeps a rare huge request from pinning memory in the pool.
const maxPooledBuf = 64 << 10

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// checkSkew enforces |now − t| ≤ MaxSkew with AWS's wording.
func (v *Verifier) checkSkew(t time.Time) error {
	skew := v.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	var now time.Time
	if v.Clock != nil {
		now = v.Clock.Now()
	} else {
		now = time.Now()
	}
	now = now.UTC()
	if t.Before(now.Add(-skew)) {
		return &Error{Kind: SignatureExpired, Msg: "Signature expired: " + t.Format(amzDateFmt) +
			" is now earlier than " + now.Add(-skew).Format(amzDateFmt) +
			" (" + now.Format(amzDateFmt) + " - " + skewText(skew) + ")"}
	}
	if t.After(now.Add(skew)) {
		return &Error{Kind: SignatureExpired, Msg: "Signature not yet current: " + t.Format(amzDateFmt) +
			" is still later than " + now.Add(skew).Format(amzDateFmt) +
			" (" + now.Format(amzDateFmt) + " + " + skewText(skew) + ")"}
	}
	return nil
}

func skewText(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.FormatInt(int64(d/time.Minute), 10) + " min."
	}
	return d.String()
}

// checkSessionToken: a key with a session token needs that token, signed;
// a key without one must not be presented with a token.
func checkSessionToken(r *http.Request, s *Secret, tokenSigned bool) error {
	vals, present := r.Header["X-Amz-Security-Token"]
	if s.SessionToken == "" {
		if present {
			return &Error{Kind: UnknownAccessKey, Msg: msgInvalidToken}
		}
		return nil
	}
	if !present || !tokenSigned || len(vals) != 1 ||
		subtle.ConstantTimeCompare([]byte(strings.TrimSpace(vals[0])), []byte(s.SessionToken)) != 1 {
		return &Error{Kind: UnknownAccessKey, Msg: msgInvalidToken}
	}
	return nil
}

// String names the kind, for logs and metrics.
func (k ErrorKind) String() string {
	switch k {
	case MissingAuthentication:
		return "MissingAuthentication"
	case IncompleteSignature:
		return "IncompleteSignature"
	case UnknownAccessKey:
		return "UnknownAccessKey"
	case SignatureMismatch:
		return "SignatureMismatch"
	case SignatureExpired:
		return "SignatureExpired"
	case InvalidScope:
		return "InvalidScope"
	}
	return "ErrorKind(" + strconv.Itoa(int(k)) + ")"
}
