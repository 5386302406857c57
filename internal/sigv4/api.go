// Package sigv4 verifies AWS Signature Version 4 (header form) on incoming
// requests. It knows nothing about services or accounts: the caller supplies
// a lookup from access key ID to secret.
//
// CONTRACT (fixed; internal/awsapi is written against it).
package sigv4

import "time"

// Authorization is a parsed Authorization header.
type Authorization struct {
	AccessKeyID   string
	Date          string // scope date yyyymmdd
	Region        string
	Service       string
	SignedHeaders []string // lower-case, in header order (must be sorted per spec)
	Signature     string   // 64 lower-case hex
}

// Secret is what the lookup returns for an access key.
type Secret struct {
	SecretAccessKey string
	// SessionToken, when non-empty, must equal the request's signed
	// X-Amz-Security-Token (compared in constant time).
	SessionToken string
}

// ErrorKind classifies verification failures; transports map them to each
// protocol's codes (reference §1.6).
type ErrorKind int

const (
	MissingAuthentication ErrorKind = iota // no Authorization header
	IncompleteSignature                    // malformed Authorization / missing x-amz-date / host not signed
	UnknownAccessKey                       // lookup found nothing; also bad/missing session token
	SignatureMismatch
	SignatureExpired // request date outside the allowed skew
	InvalidScope     // scope date differs from x-amz-date
)

// Error is a verification failure with AWS's message text, e.g.
// "Signature expired: 20260301T120000Z is now earlier than 20260301T124500Z (20260301T130000Z - 15 min.)".
type Error struct {
	Kind ErrorKind
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Functions (signatures fixed):
//
//   func ParseAuthorization(header string) (*Authorization, error)   // *Error{IncompleteSignature} on malformed input
//
//   type Verifier struct {
//       Clock   clock.Clock
//       MaxSkew time.Duration // 15 min when zero
//   }
//   // Verify checks r (whose body the caller has already read into body) against
//   // the parsed header. lookup returns (nil, nil) for an unknown key.
//   func (v *Verifier) Verify(r *http.Request, body []byte, auth *Authorization,
//       lookup func(accessKeyID string) (*Secret, error)) error
//
//   func CanonicalRequest(r *http.Request, signedHeaders []string, payloadHash string) string
//   func StringToSign(amzDate, scope, canonicalRequestHash string) string
//   func SigningKey(secret, date, region, service string) []byte

// DefaultMaxSkew is AWS's allowed clock skew.
const DefaultMaxSkew = 15 * time.Minute
