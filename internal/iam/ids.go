package iam

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
)

// Unique-ID and key prefixes (reference §7.3).
const (
	prefixUser      = "AIDA"
	prefixRole      = "AROA"
	prefixPolicy    = "ANPA"
	prefixGroup     = "AGPA"
	prefixAccessKey = "AKIA"
	prefixSession   = "ASIA"
)

const base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// randomChars returns n characters of alphabet drawn uniformly.
func randomChars(n int, alphabet string) string {
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		panic("iam: crypto/rand: " + err.Error())
	}
	// alphabets here have 32 or 10 symbols; reject bytes that would bias.
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	for len(out) < n {
		for _, b := range buf {
			if len(out) == n {
				break
			}
			if int(b) < limit {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
		if _, err := rand.Read(buf); err != nil {
			panic("iam: crypto/rand: " + err.Error())
		}
	}
	return string(out)
}

// newUniqueID returns a 21-character ID such as AIDA + 17 characters.
func newUniqueID(prefix string) string { return prefix + randomChars(21-len(prefix), base32Alphabet) }

// newAccessKeyID returns a 20-character key ID (AKIA…/ASIA…).
func newAccessKeyID(prefix string) string { return prefix + randomChars(16, base32Alphabet) }

// newSecret returns a 40-character secret access key.
func newSecret() string {
	b := make([]byte, 30)
	if _, err := rand.Read(b); err != nil {
		panic("iam: crypto/rand: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(b)
}

// newSessionToken returns an opaque session token.
func newSessionToken() string {
	b := make([]byte, 96)
	if _, err := rand.Read(b); err != nil {
		panic("iam: crypto/rand: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(b)
}

// newAccountID returns 12 random digits not starting with 0.
func newAccountID() string {
	return randomChars(1, "123456789") + randomChars(11, "0123456789")
}

// arns builds ARNs in one partition.
type arns struct{ partition string }

func (a arns) root(acct string) string { return "arn:" + a.partition + ":iam::" + acct + ":root" }

func (a arns) entity(acct, kind, path, name string) string {
	return "arn:" + a.partition + ":iam::" + acct + ":" + kind + path + name
}

func (a arns) user(acct, path, name string) string   { return a.entity(acct, "user", path, name) }
func (a arns) role(acct, path, name string) string   { return a.entity(acct, "role", path, name) }
func (a arns) group(acct, path, name string) string  { return a.entity(acct, "group", path, name) }
func (a arns) policy(acct, path, name string) string { return a.entity(acct, "policy", path, name) }

func (a arns) awsPolicy(path, name string) string {
	return "arn:" + a.partition + ":iam::aws:policy" + path + name
}

func (a arns) session(acct, role, session string) string {
	return "arn:" + a.partition + ":sts::" + acct + ":assumed-role/" + role + "/" + session
}

// parsedARN is an IAM ARN split into its parts.
type parsedARN struct {
	Service, Account, Kind, Path, Name string
}

// parseIAMARN splits arn:PART:iam::ACCT:KIND/PATH/NAME (also sts assumed-role
// and root). ok is false for anything else.
func parseIAMARN(arn string) (parsedARN, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || (parts[2] != "iam" && parts[2] != "sts") || parts[3] != "" {
		return parsedARN{}, false
	}
	p := parsedARN{Service: parts[2], Account: parts[4]}
	res := parts[5]
	if res == "root" {
		p.Kind = "root"
		return p, true
	}
	kind, rest, ok := strings.Cut(res, "/")
	if !ok || rest == "" {
		return parsedARN{}, false
	}
	p.Kind = kind
	if p.Service == "sts" {
		// assumed-role/ROLE/SESSION
		p.Path = "/"
		p.Name = rest
		return p, true
	}
	i := strings.LastIndex(rest, "/")
	p.Path = "/" + rest[:i+1]
	if i < 0 {
		p.Path = "/"
	}
	p.Name = rest[i+1:]
	if p.Name == "" {
		return parsedARN{}, false
	}
	return p, true
}
