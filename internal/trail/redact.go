package trail

import "strings"

// Hidden replaces a secret's value, as CloudTrail writes it.
const Hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"

// secretMarks are lower-case fragments of member names whose values are
// secrets: passwords, secret keys, private keys, passphrases, session
// tokens, MFA codes and federation assertions.
var secretMarks = []string{"password", "secret", "privatekey", "passphrase", "sessiontoken",
	"authenticationcode", "samlassertion", "webidentitytoken", "tokencode"}

// IsSecret reports whether a member of that name holds a secret.
func IsSecret(name string) bool {
	for _, m := range secretMarks {
		if containsFold(name, m) {
			return true
		}
	}
	return false
}

// containsFold reports whether s contains the lower-case ASCII substr in
// any case, without allocating (every member of every recorded call is
// asked).
func containsFold(s, substr string) bool {
	for i := 0; i+len(substr) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(substr)], substr) {
			return true
		}
	}
	return false
}

// Redact replaces, in place and at any depth, the values of secret members.
func Redact(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if IsSecret(k) {
				t[k] = Hidden
				continue
			}
			Redact(x)
		}
	case []any:
		for _, x := range t {
			Redact(x)
		}
	}
}
