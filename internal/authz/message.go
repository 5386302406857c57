package authz

import "strconv"

// DenialMessage renders AWS's AccessDenied text for a denial:
//
//	User: ARN is not authorized to perform: ACTION on resource: RES because no identity-based policy allows the ACTION action
//
// p.ARN is the caller's ARN (the sts assumed-role ARN for a session). It
// returns "" for the Allowed* reasons.
func DenialMessage(p *Principal, action, resource string, r Reason) string {
	var tail string
	switch r {
	case DeniedNoIdentityAllow:
		tail = "because no identity-based policy allows the " + action + " action"
	case DeniedNoResourceAllow:
		tail = "because no resource-based policy allows the " + action + " action"
	case DeniedNoSCPAllow:
		tail = "because no service control policy allows the " + action + " action"
	case DeniedNoSessionAllow:
		tail = "because no session policy allows the " + action + " action"
	case DeniedNoBoundaryAllow:
		tail = "because no permissions boundary allows the " + action + " action"
	case DeniedExplicitIdentity:
		tail = "with an explicit deny in an identity-based policy"
	case DeniedExplicitResource:
		tail = "with an explicit deny in a resource-based policy"
	case DeniedExplicitSCP:
		tail = "with an explicit deny in a service control policy"
	case DeniedExplicitSession:
		tail = "with an explicit deny in a session policy"
	case DeniedExplicitBoundary:
		tail = "with an explicit deny in a permissions boundary"
	default:
		if tail = rcpDenialTail(action, r); tail == "" {
			return ""
		}
	}
	return "User: " + callerName(p) + " is not authorized to perform: " + action + " on resource: " + resource + " " + tail
}

// callerName is the ARN shown in messages; service and anonymous callers
// have none, so their service name or "anonymous" stands in.
func callerName(p *Principal) string {
	switch {
	case p == nil:
		return ""
	case p.ARN != "":
		return p.ARN
	case p.Type == TypeService:
		return p.ServiceName
	case p.Type == TypeAnonymous:
		return "anonymous"
	}
	return p.PrincipalARN
}

var reasonNames = [...]string{
	AllowedByIdentity:      "AllowedByIdentity",
	AllowedByResource:      "AllowedByResource",
	AllowedByBoth:          "AllowedByBoth",
	AllowedAsRoot:          "AllowedAsRoot",
	DeniedNoIdentityAllow:  "DeniedNoIdentityAllow",
	DeniedNoResourceAllow:  "DeniedNoResourceAllow",
	DeniedExplicitIdentity: "DeniedExplicitIdentity",
	DeniedExplicitResource: "DeniedExplicitResource",
	DeniedExplicitSCP:      "DeniedExplicitSCP",
	DeniedNoSCPAllow:       "DeniedNoSCPAllow",
	DeniedExplicitSession:  "DeniedExplicitSession",
	DeniedNoSessionAllow:   "DeniedNoSessionAllow",
	DeniedExplicitBoundary: "DeniedExplicitBoundary",
	DeniedNoBoundaryAllow:  "DeniedNoBoundaryAllow",
}

func (r Reason) String() string {
	if n := rcpName(r); n != "" {
		return n
	}
	if r >= 0 && int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "Reason(" + strconv.Itoa(int(r)) + ")"
}

var kindNames = [...]string{
	IdentityPolicy:       "IdentityPolicy",
	ResourcePolicy:       "ResourcePolicy",
	SessionPolicy:        "SessionPolicy",
	PermissionsBoundary:  "PermissionsBoundary",
	ServiceControlPolicy: "ServiceControlPolicy",
}

func (k PolicyKind) String() string {
	if k == ResourceControlPolicy {
		return "ResourceControlPolicy"
	}
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "PolicyKind(" + strconv.Itoa(int(k)) + ")"
}
