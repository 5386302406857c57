package pca

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/openpca/openpca/internal/policy"
)

// maxPolicyChars is the model's AWSPolicy length bound (Latin-1 characters).
const maxPolicyChars = 81920

// pcaActions are every acm-pca action; wildcards in a CA policy are expanded
// against this list.
var pcaActions = []string{
	"CreateCertificateAuthority", "CreateCertificateAuthorityAuditReport", "CreatePermission",
	"DeleteCertificateAuthority", "DeletePermission", "DeletePolicy",
	"DescribeCertificateAuthority", "DescribeCertificateAuthorityAuditReport",
	"GetCertificate", "GetCertificateAuthorityCertificate", "GetCertificateAuthorityCsr", "GetPolicy",
	"ImportCertificateAuthorityCertificate", "IssueCertificate", "ListCertificateAuthorities",
	"ListPermissions", "ListTags", "PutPolicy", "RestoreCertificateAuthority", "RevokeCertificate",
	"TagCertificateAuthority", "UntagCertificateAuthority", "UpdateCertificateAuthority",
}

// shareableActions are the actions a CA policy may grant to other
// principals (§3.1); only these are evaluated against the policy's Allow
// statements.
var shareableActions = map[string]bool{
	"DescribeCertificateAuthority": true, "GetCertificate": true, "GetCertificateAuthorityCertificate": true,
	"ListPermissions": true, "ListTags": true, "IssueCertificate": true, "RevokeCertificate": true,
}

// ShareableActions lists the actions a CA policy may grant, "acm-pca:"-prefixed.
func ShareableActions() []string {
	var out []string
	for _, a := range pcaActions {
		if shareableActions[a] {
			out = append(out, "acm-pca:"+a)
		}
	}
	return out
}

// orgKeys are the condition keys that make a "*" principal acceptable.
var orgKeys = map[string]bool{"aws:principalorgid": true, "aws:principalorgpaths": true}

// orgOperators are the operators under which an org key restricts "*" to
// members: positive matches only (a negated operator, IfExists or
// ForAllValues would also let in callers outside every organization).
var orgOperators = map[string]bool{
	"stringequals": true, "stringequalsignorecase": true, "stringlike": true,
	"foranyvalue:stringequals": true, "foranyvalue:stringequalsignorecase": true, "foranyvalue:stringlike": true,
}

// validatePolicy checks a PutPolicy document for the CA caARN (§3.1) and
// returns it parsed. Errors are ErrInvalidPolicy with a message naming the
// offending statement.
func validatePolicy(doc, caARN string) (*policy.Document, error) {
	if n := utf8.RuneCountInString(doc); n == 0 || n > maxPolicyChars {
		return nil, errf(ErrInvalidPolicy, "The policy must be between 1 and %d characters long.", maxPolicyChars)
	}
	for i, r := range doc {
		if r == utf8.RuneError || !(r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xFF) {
			return nil, errf(ErrInvalidPolicy, "The policy contains a character outside Latin-1 at offset %d.", i)
		}
	}
	d, err := policy.Parse([]byte(doc), policy.Resource)
	if err != nil {
		return nil, errf(ErrInvalidPolicy, "The policy is not valid: %v", err)
	}
	for i := range d.Statements {
		if msg := checkStatement(&d.Statements[i], caARN); msg != "" {
			return nil, errf(ErrInvalidPolicy, "The policy is not valid: %s: %s", stmtName(i, d.Statements[i].Sid), msg)
		}
	}
	return d, nil
}

func stmtName(i int, sid string) string {
	s := "Statement[" + strconv.Itoa(i) + "]"
	if sid != "" {
		s += " (Sid " + strconv.Quote(sid) + ")"
	}
	return s
}

// checkStatement returns what is wrong with one statement, "" when nothing.
func checkStatement(st *policy.Statement, caARN string) string {
	allow := st.Effect == policy.Allow
	if msg := checkActions(st, allow); msg != "" {
		return msg
	}
	if msg := checkResources(st, caARN); msg != "" {
		return msg
	}
	return checkPrincipals(st, allow)
}

// checkActions: an Allow may grant only the shareable actions (a wildcard
// only when every action it expands to is shareable); a Deny may name any
// acm-pca action, since it grants nothing and is what LockoutPrevented
// guards against.
func checkActions(st *policy.Statement, allow bool) string {
	if st.HasNotAction {
		if allow {
			return "NotAction is not allowed in an Allow statement of a CA policy; list the granted actions in Action"
		}
		return ""
	}
	for _, a := range st.Action {
		matched := 0
		for _, op := range pcaActions {
			if !actionGlob(a, "acm-pca:"+op) {
				continue
			}
			matched++
			if allow && !shareableActions[op] {
				if a == "acm-pca:"+op {
					return "Action " + strconv.Quote(a) + " cannot be granted through a CA policy (allowed: " + strings.Join(ShareableActions(), ", ") + ")"
				}
				return "Action " + strconv.Quote(a) + " also matches acm-pca:" + op + ", which cannot be granted through a CA policy"
			}
		}
		if matched == 0 {
			return "Action " + strconv.Quote(a) + " matches no acm-pca action"
		}
	}
	return ""
}

// checkResources: Resource entries must match this CA's ARN; a NotResource
// must not exclude it (the statement would then never apply).
func checkResources(st *policy.Statement, caARN string) string {
	for _, r := range st.Resource {
		if !glob(r, caARN, false) {
			return "Resource " + strconv.Quote(r) + " does not match this certificate authority (" + caARN + ")"
		}
	}
	for _, r := range st.NotResource {
		if glob(r, caARN, false) {
			return "NotResource " + strconv.Quote(r) + " excludes this certificate authority, so the statement would never apply"
		}
	}
	return ""
}

// checkPrincipals: AWS principals only (account IDs, :root, user and role
// ARNs); "*" in an Allow only under an organization condition; Service
// principals belong to CreatePermission.
func checkPrincipals(st *policy.Statement, allow bool) string {
	ps, field := st.Principal, "Principal"
	if ps == nil {
		if allow {
			return "NotPrincipal is not allowed in an Allow statement of a CA policy"
		}
		ps, field = st.NotPrincipal, "NotPrincipal"
	}
	if len(ps.Service) > 0 {
		return field + ` names the service principal ` + strconv.Quote(ps.Service[0]) + `; grant services access with CreatePermission, not PutPolicy`
	}
	if len(ps.Federated) > 0 || len(ps.CanonicalUser) > 0 {
		return field + " may name only AWS principals (accounts, users, roles)"
	}
	for _, p := range ps.AWS {
		if p != "*" && !caPolicyPrincipal(p) {
			return field + " " + strconv.Quote(p) + " is not an account ID, account root, IAM user or IAM role ARN"
		}
	}
	if ps.Wildcard && allow && !hasOrgCondition(st) {
		return `Principal "*" requires a condition on aws:PrincipalOrgID or aws:PrincipalOrgPaths (StringEquals or StringLike) naming an organization`
	}
	return ""
}

// caPolicyPrincipal accepts an account ID, an iam root, user or role ARN,
// or the unique ID GetPolicy shows for a deleted user or role (so a policy
// read back can be put again); policy.Parse has checked the general form.
func caPolicyPrincipal(p string) bool {
	if len(p) == 12 && strings.Trim(p, "0123456789") == "" || policy.IsUniqueID(p) {
		return true
	}
	parts := strings.SplitN(p, ":", 6)
	if len(parts) != 6 || parts[2] != "iam" {
		return false
	}
	res := parts[5]
	return res == "root" || strings.HasPrefix(res, "user/") || strings.HasPrefix(res, "role/")
}

// hasOrgCondition reports a positive aws:PrincipalOrgID/OrgPaths condition
// whose every value names a specific organization.
func hasOrgCondition(st *policy.Statement) bool {
	for _, c := range st.Condition {
		if !orgKeys[strings.ToLower(c.Key)] || !orgOperators[strings.ToLower(c.Operator)] {
			continue
		}
		ok := len(c.Values) > 0
		for _, v := range c.Values {
			org, _, _ := strings.Cut(v, "/")
			if !strings.HasPrefix(org, "o-") || len(org) < 3 || strings.ContainsAny(org, "*?$") {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// actionGlob matches an action pattern case-insensitively.
func actionGlob(pattern, action string) bool { return glob(pattern, action, true) }

// glob matches s against pattern with * (any run) and ? (one character).
func glob(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
