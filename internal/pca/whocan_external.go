package pca

import (
	"strings"

	"github.com/openpca/openpca/internal/policy"
)

// ExternalGrant is what the CA's policy grants outside the CA's account:
// one statement and one principal element it names. As IAM Access
// Analyzer reports, the analysis stops at the account boundary: which of
// that account's principals may use the grant is decided by its own
// administrators (identity policies, SCPs) and is not shown.
type ExternalGrant struct {
	// Principal is the element as written: an account ID, an IAM ARN, a
	// service principal, or "*".
	Principal string
	// PrincipalType is Account (an account or its root), IAMPrincipal (a
	// user or role of another account), Service, or Anyone ("*", usually
	// narrowed by conditions such as aws:PrincipalOrgID or
	// aws:PrincipalOrgPaths).
	PrincipalType string
	AccountId     string `json:",omitempty"`
	Statement     AccessStatement
	Conditions    []GrantCondition
	Note          string
}

// GrantCondition is one condition of the granting statement.
type GrantCondition struct {
	Operator string
	Key      string
	Values   []string
}

// externalGrants lists the Allow statements of the CA policy doc (named
// name) that grant action on caARN to principals outside owner.
func externalGrants(doc, name, owner, caARN, action string) []ExternalGrant {
	out := []ExternalGrant{}
	if doc == "" {
		return out
	}
	d, err := policy.Parse([]byte(doc), policy.Resource)
	if err != nil {
		return out // stored policies were validated; nothing to report
	}
	for i, st := range d.Statements {
		if st.Effect != policy.Allow || st.Principal == nil ||
			!matchesAny(st.Action, st.NotAction, st.HasNotAction, action, true) ||
			!matchesAny(st.Resource, st.NotResource, st.HasNotResource, caARN, false) {
			continue
		}
		ref := AccessStatement{Policy: name, PolicyKind: "ResourcePolicy", Index: i, Sid: st.Sid}
		conds := []GrantCondition{}
		for _, c := range st.Condition {
			conds = append(conds, GrantCondition{Operator: c.Operator, Key: c.Key, Values: c.Values})
		}
		add := func(p, typ, acct string) {
			out = append(out, ExternalGrant{Principal: p, PrincipalType: typ, AccountId: acct, Statement: ref,
				Conditions: conds, Note: grantNote(typ, acct, action)})
		}
		if st.Principal.Wildcard {
			add("*", "Anyone", "")
		}
		for _, p := range st.Principal.AWS {
			acct, typ := principalAccount(p)
			if acct != owner {
				add(p, typ, acct)
			}
		}
		for _, p := range st.Principal.Service {
			add(p, "Service", "")
		}
	}
	return out
}

// principalAccount returns the account an AWS principal element names and
// whether it names the whole account or one IAM principal.
func principalAccount(p string) (account, typ string) {
	if accountRE.MatchString(p) {
		return p, "Account"
	}
	parts := strings.SplitN(p, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" {
		if parts[5] == "root" {
			return parts[4], "Account"
		}
		return parts[4], "IAMPrincipal"
	}
	return "", "IAMPrincipal"
}

func grantNote(typ, account, action string) string {
	switch typ {
	case "Account":
		return "Principals of account " + account + " may perform " + action + " when these conditions hold and their own identity policies and SCPs allow it; that account's administrators decide which principals, so they are not listed."
	case "IAMPrincipal":
		return "This principal of account " + account + " may perform " + action + " when these conditions hold and its own identity policies and SCPs allow it; its account's administrators decide those."
	case "Service":
		return "The service principal may perform " + action + " when these conditions hold, on behalf of the accounts they name."
	}
	return "Any principal of any account satisfying these conditions (for example aws:PrincipalOrgID or aws:PrincipalOrgPaths) may perform " + action + " when its own identity policies and SCPs allow it; each account's administrators decide which principals, so they are not listed."
}

// matchesAny reports whether v is covered by an Action/Resource element
// (patterns with * and ?) or, for a NotAction/NotResource one, not
// excluded by it. Actions compare case-insensitively.
func matchesAny(in, notIn []string, hasNot bool, v string, fold bool) bool {
	if hasNot {
		for _, p := range notIn {
			if glob(p, v, fold) {
				return false
			}
		}
		return true
	}
	for _, p := range in {
		if glob(p, v, fold) {
			return true
		}
	}
	return false
}
