package policy

import "strings"

func parsePrincipal(v *jval, field string, se stmtErr) (*PrincipalSet, error) {
	if v.kind == jString {
		if v.s != "*" {
			return nil, se.err(field, `must be "*" or an object`)
		}
		return &PrincipalSet{Wildcard: true}, nil
	}
	if v.kind != jObject || len(v.obj) == 0 {
		return nil, se.err(field, `must be "*" or a non-empty object`)
	}
	if k, dup := dupKey(*v); dup {
		return nil, se.err(field+"."+k, "appears more than once")
	}
	ps := &PrincipalSet{}
	for i := range v.obj {
		m := &v.obj[i]
		f := field + "." + m.key
		list, err := stringList(&m.val, f, se)
		if err != nil {
			return nil, err
		}
		for _, p := range list {
			if p == "" {
				return nil, se.err(f, "must not be empty")
			}
		}
		switch m.key {
		case "AWS":
			for _, p := range list {
				if p == "*" {
					ps.Wildcard = true
					continue
				}
				if !validAWSPrincipal(p) {
					return nil, se.err(f, "%q is not a valid principal (expected an account ID, \"*\" or an IAM/STS principal ARN without wildcards)", p)
				}
			}
			ps.AWS = list
		case "Service", "Federated", "CanonicalUser":
			for _, p := range list {
				if strings.ContainsAny(p, "*?") {
					return nil, se.err(f, "%q: wildcards are not allowed in principals", p)
				}
			}
			switch m.key {
			case "Service":
				ps.Service = list
			case "Federated":
				ps.Federated = list
			default:
				ps.CanonicalUser = list
			}
		default:
			return nil, se.err(f, "is not a valid principal type (AWS, Service, Federated, CanonicalUser)")
		}
	}
	return ps, nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < 12; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// splitPrincipalARN splits arn:PARTITION:SERVICE::ACCOUNT:RESOURCE without
// allocating.
func splitPrincipalARN(s string) (partition, service, account, resource string, ok bool) {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return
	}
	var region string
	var ok1, ok2, ok3, ok4 bool
	partition, rest, ok1 = strings.Cut(rest, ":")
	service, rest, ok2 = strings.Cut(rest, ":")
	region, rest, ok3 = strings.Cut(rest, ":")
	account, resource, ok4 = strings.Cut(rest, ":")
	if !ok1 || !ok2 || !ok3 || !ok4 || region != "" {
		return "", "", "", "", false
	}
	return partition, service, account, resource, true
}

// IsUniqueID reports whether s is an IAM user's or role's unique ID
// (AIDA…/AROA…, 21 characters). IAM stores user and role principals by
// unique ID, as AWS does, so that a deleted and recreated entity of the
// same name is not named by the policy; such an entry matches the principal
// whose Principal.ARNs list carries the ID.
func IsUniqueID(s string) bool {
	if len(s) != 21 || !(strings.HasPrefix(s, "AIDA") || strings.HasPrefix(s, "AROA")) {
		return false
	}
	for i := 4; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// validAWSPrincipal accepts an account ID, a unique ID or an IAM/STS
// principal ARN.
func validAWSPrincipal(p string) bool {
	if isAccountID(p) || IsUniqueID(p) {
		return true
	}
	if strings.ContainsAny(p, "*?") {
		return false
	}
	part, svc, acct, res, ok := splitPrincipalARN(p)
	if !ok || part == "" || !isAccountID(acct) {
		return false
	}
	for i := 0; i < len(part); i++ {
		if c := part[i]; !(c >= 'a' && c <= 'z' || c == '-') {
			return false
		}
	}
	nonEmptyAfter := func(prefix string) bool {
		r, ok := strings.CutPrefix(res, prefix)
		return ok && r != "" && !strings.HasSuffix(r, "/")
	}
	switch svc {
	case "iam":
		return res == "root" || nonEmptyAfter("user/") || nonEmptyAfter("role/") || nonEmptyAfter("federated-user/")
	case "sts":
		if nonEmptyAfter("federated-user/") {
			return true
		}
		r, ok := strings.CutPrefix(res, "assumed-role/")
		if !ok {
			return false
		}
		role, session, ok := strings.Cut(r, "/")
		return ok && role != "" && session != "" && !strings.Contains(session, "/")
	}
	return false
}

// cprincipal is a compiled PrincipalSet.
type cprincipal struct {
	wildcard  bool
	accounts  []string // from account IDs and :root ARNs
	arns      []string // user, role, session ARNs (matched exactly)
	services  []string
	federated []string
}

func compilePrincipal(ps *PrincipalSet) *cprincipal {
	if ps == nil {
		return nil
	}
	cp := &cprincipal{wildcard: ps.Wildcard, services: ps.Service, federated: ps.Federated}
	for _, p := range ps.AWS {
		switch {
		case p == "*":
			cp.wildcard = true
		case isAccountID(p):
			cp.accounts = append(cp.accounts, p)
		default:
			if _, _, acct, res, ok := splitPrincipalARN(p); ok && res == "root" {
				cp.accounts = append(cp.accounts, acct)
			} else {
				cp.arns = append(cp.arns, p)
			}
		}
	}
	return cp
}

// matches reports whether the principal is named by the set. strict is used
// for NotPrincipal: there an account entry names only the account's root, so
// listing an account does not exempt its users and roles (§4.2).
func (cp *cprincipal) matches(p *Principal, strict bool) bool {
	if p.Service != "" {
		for _, s := range cp.services {
			if strings.EqualFold(s, p.Service) {
				return true
			}
		}
		return false
	}
	if cp.wildcard {
		return true
	}
	if p.Anonymous {
		return false
	}
	if p.Federated != "" {
		for _, f := range cp.federated {
			if f == p.Federated {
				return true
			}
		}
	}
	for _, a := range cp.arns {
		for _, pa := range p.ARNs {
			if a == pa {
				return true
			}
		}
	}
	for _, acct := range cp.accounts {
		if strict {
			for _, pa := range p.ARNs {
				if _, svc, pacct, res, ok := splitPrincipalARN(pa); ok && svc == "iam" && res == "root" && pacct == acct {
					return true
				}
			}
		} else if p.Account == acct {
			return true
		}
	}
	return false
}
