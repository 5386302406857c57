package server

import (
	"context"
	"fmt"
	"strings"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/pca"
)

// ExplainInput asks how a request by Principal would be decided.
type ExplainInput struct {
	PrincipalARN string
	Action       string
	Resource     string
	// ResourceAccount owns the resource; "" derives it from the resource ARN
	// (or the principal's account when the ARN has none).
	ResourceAccount string
	ResourcePolicy  string
	Context         map[string][]string
}

// Explain evaluates the request exactly as a live call would be (same
// identity policies, organization context and global keys) and returns the
// decision with its reasons.
func (a *App) Explain(ctx context.Context, in ExplainInput) (*authz.Principal, *authz.Decision, error) {
	p, err := a.IAMStore.PrincipalByARN(ctx, in.PrincipalARN)
	if err != nil {
		return nil, nil, err
	}
	owner := in.ResourceAccount
	if owner == "" {
		owner = accountOfARN(in.Resource)
	}
	req := &authz.Request{
		Caller:          &authz.Caller{Principal: *p},
		Action:          in.Action,
		Resource:        in.Resource,
		ResourceAccount: owner,
		Context:         in.Context,
	}
	if in.ResourcePolicy != "" {
		req.ResourcePolicy = &authz.Policy{Kind: authz.ResourcePolicy, Name: in.Resource, Document: in.ResourcePolicy}
	}
	d, err := a.Authz.Authorize(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	return p, d, nil
}

// accountOfARN returns the account field of an ARN, "" when absent.
func accountOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" {
		return parts[4]
	}
	return ""
}

// FormatDecision renders a decision in plain words.
func FormatDecision(p *authz.Principal, action, resource string, d *authz.Decision) string {
	var b strings.Builder
	verdict := "ALLOWED"
	if !d.Allowed {
		verdict = "DENIED"
	}
	fmt.Fprintf(&b, "Decision:  %s — %s\n", verdict, reasonText(d.Reason))
	fmt.Fprintf(&b, "Principal: %s (%s in account %s)\n", p.ARN, p.Type, p.AccountID)
	fmt.Fprintf(&b, "Action:    %s\nResource:  %s\n", action, resource)
	if d.Message != "" {
		fmt.Fprintf(&b, "AWS says:  %s\n", d.Message)
	}
	if d.DecidingDeny != nil {
		fmt.Fprintf(&b, "Deciding statement: %s\n", statementText(*d.DecidingDeny))
	}
	if len(d.Matched) > 0 {
		b.WriteString("Statements that apply:\n")
		for _, m := range d.Matched {
			fmt.Fprintf(&b, "  - %s\n", statementText(m))
		}
	} else {
		b.WriteString("No statement applies to this request.\n")
	}
	if len(d.ConditionMisses) > 0 {
		b.WriteString("Statements that would apply but for a condition:\n")
		for _, c := range d.ConditionMisses {
			why := "did not hold"
			if c.Miss.Missing {
				why = "has no value in the request"
			}
			fmt.Fprintf(&b, "  - %s: %s on %s %s\n", statementText(authz.StatementMatch{Policy: c.Policy, Kind: c.Kind, Statement: c.Miss.Statement}), c.Miss.Operator, c.Miss.Key, why)
		}
	}
	if len(d.MissingContextValues) > 0 {
		fmt.Fprintf(&b, "Context keys the policies use but the request lacks: %s\n", strings.Join(d.MissingContextValues, ", "))
	}
	return b.String()
}

func statementText(m authz.StatementMatch) string {
	s := fmt.Sprintf("%s %s statement #%d", strings.ToUpper(m.Statement.Effect.String()), kindText(m.Kind), m.Statement.Index)
	if m.Statement.Sid != "" {
		s += fmt.Sprintf(" (Sid %q)", m.Statement.Sid)
	}
	return s + " in " + m.Policy
}

func kindText(k authz.PolicyKind) string {
	switch k {
	case authz.IdentityPolicy:
		return "identity-policy"
	case authz.ResourcePolicy:
		return "resource-policy"
	case authz.SessionPolicy:
		return "session-policy"
	case authz.PermissionsBoundary:
		return "permissions-boundary"
	case authz.ServiceControlPolicy:
		return "service-control-policy"
	}
	return "policy"
}

func reasonText(r authz.Reason) string {
	switch r {
	case authz.AllowedByIdentity:
		return "an identity-based policy allows it"
	case authz.AllowedByResource:
		return "the resource-based policy allows it"
	case authz.AllowedByBoth:
		return "both the identity-based and the resource-based policy allow it"
	case authz.AllowedAsRoot:
		return "the account's root user may do anything in its own account unless explicitly denied"
	case authz.DeniedNoIdentityAllow:
		return "no identity-based policy allows it"
	case authz.DeniedNoResourceAllow:
		return "the caller is in another account and no resource-based policy allows it"
	case authz.DeniedExplicitIdentity:
		return "an identity-based policy explicitly denies it"
	case authz.DeniedExplicitResource:
		return "the resource-based policy explicitly denies it"
	case authz.DeniedExplicitSCP:
		return "a service control policy explicitly denies it"
	case authz.DeniedNoSCPAllow:
		return "no service control policy allows it"
	case authz.DeniedExplicitSession:
		return "the session policy explicitly denies it"
	case authz.DeniedNoSessionAllow:
		return "the session policy does not allow it"
	case authz.DeniedExplicitBoundary:
		return "the permissions boundary explicitly denies it"
	case authz.DeniedNoBoundaryAllow:
		return "the permissions boundary does not allow it"
	}
	return "unknown reason"
}

// WhoCan lists every principal that can perform action on the CA now,
// answered as the CA owner's root would see it.
func (a *App) WhoCan(ctx context.Context, caARN, action string) ([]pca.PrincipalAccess, error) {
	owner := accountOfARN(caARN)
	if owner == "" {
		return nil, fmt.Errorf("%q is not a CA ARN", caARN)
	}
	root, err := a.IAMStore.PrincipalByARN(ctx, "arn:aws:iam::"+owner+":root")
	if err != nil {
		return nil, err
	}
	return a.PCA.WhoCan(ctx, &authz.Caller{Principal: *root}, caARN, action)
}
