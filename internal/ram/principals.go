package ram

import (
	"regexp"
	"strings"
)

type principalKind int

const (
	principalInvalid principalKind = iota
	principalAccount
	principalOrg  // a = org ID
	principalOU   // a = org ID, b = OU ID
	principalUser // a = account
	principalRole // a = account
	principalMalformedARN
)

var (
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	orgIDRE   = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	ouIDRE    = regexp.MustCompile(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)
	iamNameRE = regexp.MustCompile(`^(/[\x21-\x7e]*)?[\w+=,.@-]+$`)
)

// classifyPrincipal parses a principal string as CreateResourceShare takes
// it: a 12-digit account, an organization or OU ARN, an IAM user or role ARN.
func classifyPrincipal(p string) (k principalKind, a, b string) {
	if accountRE.MatchString(p) {
		return principalAccount, p, ""
	}
	if !strings.HasPrefix(p, "arn:") {
		return principalInvalid, "", ""
	}
	parts := strings.SplitN(p, ":", 6)
	if len(parts) != 6 || parts[1] == "" {
		return principalMalformedARN, "", ""
	}
	switch parts[2] {
	case "organizations":
		if parts[3] != "" || !accountRE.MatchString(parts[4]) {
			return principalMalformedARN, "", ""
		}
		seg := strings.Split(parts[5], "/")
		switch {
		case len(seg) == 2 && seg[0] == "organization" && orgIDRE.MatchString(seg[1]):
			return principalOrg, seg[1], ""
		case len(seg) == 3 && seg[0] == "ou" && orgIDRE.MatchString(seg[1]) && ouIDRE.MatchString(seg[2]):
			return principalOU, seg[1], seg[2]
		}
	case "iam":
		if parts[3] != "" || !accountRE.MatchString(parts[4]) {
			return principalMalformedARN, "", ""
		}
		kind, rest, _ := strings.Cut(parts[5], "/")
		if rest == "" || !iamNameRE.MatchString("/"+rest) && !iamNameRE.MatchString(rest) {
			return principalMalformedARN, "", ""
		}
		switch kind {
		case "user":
			return principalUser, parts[4], ""
		case "role":
			return principalRole, parts[4], ""
		}
	}
	return principalMalformedARN, "", ""
}

// principalAccountOf is the account an account/user/role principal
// belongs to; "" for organizations and OUs.
func principalAccountOf(p string) string {
	switch k, a, _ := classifyPrincipal(p); k {
	case principalAccount, principalUser, principalRole:
		return a
	}
	return ""
}
