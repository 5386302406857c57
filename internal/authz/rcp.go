package authz

import (
	"context"
	"strings"
)

// Resource control policies (RCPs) bound what any principal may do to the
// resources of an organization's member accounts: like SCPs they grant
// nothing, every level of the resource owner's path (root, OUs, account)
// must allow (RCPFullAWSAccess does by default) and a Deny at any level
// denies. AWS applies them only to the services on its list, never to
// resources of the management account, and not to service-linked roles.

// ResourceControlPolicy is the PolicyKind of an RCP. The RCP constants live
// apart from the iota lists so that additions there cannot shift them.
const ResourceControlPolicy PolicyKind = 32

// The denials RCPs cause.
const (
	DeniedExplicitRCP Reason = 32 + iota // explicit deny in an RCP
	DeniedNoRCPAllow                     // a level of the RCP chain without an Allow
)

// rcpServices are the services whose resources RCPs govern (AWS
// Organizations, "List of AWS services that support RCPs"); of those
// OpenPCA serves sts (sts:AssumeRole and friends on a role).
var rcpServices = map[string]bool{
	"s3": true, "sts": true, "kms": true, "sqs": true, "secretsmanager": true,
	"ecr": true, "aoss": true, "cognito-identity": true, "logs": true, "dynamodb": true,
}

// rcpApplies reports whether action's service is governed by RCPs.
func rcpApplies(action string) bool {
	svc, _, ok := strings.Cut(action, ":")
	return ok && rcpServices[strings.ToLower(svc)]
}

// rcpLevels returns the RCP chain that bounds req, nil when none applies:
// the resource owner's, when it is a member (not the management account)
// of an organization with RCPs enabled. callerOC is the caller's own
// context, reused when the caller owns the resource.
func (e *Engine) rcpLevels(ctx context.Context, req *Request, callerOC *OrgContext) ([][]Policy, error) {
	p := &req.Caller.Principal
	if !rcpApplies(req.Action) || p.Type == TypeService || isServiceLinkedRole(p) ||
		strings.Contains(req.Resource, ":role/aws-service-role/") {
		return nil, nil
	}
	owner := req.ResourceAccount
	if owner == "" {
		owner = p.AccountID
	}
	oc := *callerOC
	if owner != p.AccountID || !hasAccount(p) {
		var err error
		if oc, err = e.orgContext(ctx, owner); err != nil {
			return nil, err
		}
	}
	if oc.OrgID == "" || oc.ManagementAccount == owner {
		return nil, nil
	}
	return oc.RCPLevels, nil
}

// applyRCPs bounds decision d by the RCP levels of ev: an explicit deny in
// an RCP denies unless another policy already denied explicitly; an allowed
// request is denied when a level has no allowing RCP.
func (v *evaluator) applyRCPs(ev *Evaluation, d *Decision) {
	if len(ev.RCPLevels) == 0 || ev.Principal == nil {
		return
	}
	out := setOutcome{allow: true}
	for _, level := range ev.RCPLevels {
		o := v.evalSet(level, ResourceControlPolicy)
		if out.deny == nil {
			out.deny = o.deny
		}
		out.allow = out.allow && o.allow
	}
	switch {
	case out.deny != nil && !explicitDeny(d.Reason):
		d.Allowed, d.Reason, d.DecidingDeny = false, DeniedExplicitRCP, out.deny
	case !out.allow && d.Allowed:
		d.Allowed, d.Reason = false, DeniedNoRCPAllow
	}
}

func explicitDeny(r Reason) bool {
	switch r {
	case DeniedExplicitIdentity, DeniedExplicitResource, DeniedExplicitSCP, DeniedExplicitSession, DeniedExplicitBoundary:
		return true
	}
	return false
}

// rcpDenialTail is DenialMessage's wording for the RCP reasons, "" for others.
func rcpDenialTail(action string, r Reason) string {
	switch r {
	case DeniedExplicitRCP:
		return "with an explicit deny in a resource control policy"
	case DeniedNoRCPAllow:
		return "because no resource control policy allows the " + action + " action"
	}
	return ""
}

func rcpName(r Reason) string {
	switch r {
	case DeniedExplicitRCP:
		return "DeniedExplicitRCP"
	case DeniedNoRCPAllow:
		return "DeniedNoRCPAllow"
	}
	return ""
}
