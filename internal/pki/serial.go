package pki

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"math/big"
	"strings"
)

// NewSerial returns a positive 128-bit random serial number (RFC 5280
// §4.1.2.2: positive, at most 20 octets). rnd nil means crypto/rand. A zero
// draw is retried, so the result is never 0.
func NewSerial(rnd io.Reader) (*big.Int, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	var b [16]byte
	for {
		if _, err := io.ReadFull(rnd, b[:]); err != nil {
			return nil, wrapf(Internal, err, "serial generation failed")
		}
		if n := new(big.Int).SetBytes(b[:]); n.Sign() > 0 {
			return n, nil
		}
	}
}

// SerialHex formats a serial as the certificate ARN suffix: lower-case hex
// of the magnitude without leading zero bytes (so "0a" stays "0a").
func SerialHex(n *big.Int) string {
	return hex.EncodeToString(n.Bytes())
}

// ParseSerial reads a serial as printed by openssl or AWS: hex, upper or
// lower case, optionally colon-separated, optionally with leading zeros.
// The result must be positive and fit 20 octets; otherwise InvalidArgs.
func ParseSerial(s string) (*big.Int, error) {
	h := strings.ReplaceAll(strings.TrimSpace(s), ":", "")
	if h == "" || len(h) > 128 {
		return nil, errf(InvalidArgs, "Invalid certificate serial %q.", s)
	}
	for _, c := range h {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return nil, errf(InvalidArgs, "Invalid certificate serial %q.", s)
		}
	}
	n, ok := new(big.Int).SetString(h, 16)
	if !ok || n.Sign() <= 0 || len(n.Bytes()) > 20 {
		return nil, errf(InvalidArgs, "Invalid certificate serial %q.", s)
	}
	return n, nil
}
