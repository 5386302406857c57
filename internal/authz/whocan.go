package authz

import (
	"context"
	"fmt"

	"github.com/openpca/openpca/internal/policy"
)

// Who-can analysis (beyond AWS): for one action on one resource, evaluate
// every candidate principal exactly as Authorize would and report those
// allowed, with the reason and the statements that allowed them.

// Candidate is a principal with what its evaluation needs.
type Candidate struct {
	Principal Principal
	// Policies are the principal's policies as IdentitySource returns them:
	// identity policies, and for sessions SessionPolicy and
	// PermissionsBoundary kinds.
	Policies []Policy
	Org      OrgContext
}

// AccessQuery is the resource side of the question.
type AccessQuery struct {
	Action          string
	Resource        string
	ResourceAccount string
	ResourcePolicy  *Policy
	ResourceTags    map[string]string
	// Context carries service keys (acm-pca:TemplateArn …); the defaults
	// Authorize applies (the default template) apply here too.
	Context map[string][]string
}

// Access is one allowed principal and why.
type Access struct {
	Principal Principal
	Reason    Reason
	// Statements are the Allow statements that matched (identity, session,
	// boundary, SCP and resource policies), in evaluation order.
	Statements []StatementMatch
}

// Candidates gathers, for each principal, its policies from the engine's
// IdentitySource and its organization context from the OrgSource.
func (e *Engine) Candidates(ctx context.Context, ps []Principal) ([]Candidate, error) {
	out := make([]Candidate, 0, len(ps))
	for i := range ps {
		c := Candidate{Principal: ps[i]}
		p := &c.Principal
		if hasAccount(p) {
			oc, err := e.orgContext(ctx, p.AccountID)
			if err != nil {
				return nil, err
			}
			c.Org = oc
		}
		if (p.Type == TypeUser || p.Type == TypeAssumedRole) && e.ids != nil {
			pols, err := e.ids.IdentityPolicies(ctx, p)
			if err != nil {
				return nil, fmt.Errorf("authz: identity policies of %s: %w", p.ARN, err)
			}
			c.Policies = pols
		}
		out = append(out, c)
	}
	return out, nil
}

// WhoCan evaluates q for every candidate and returns those allowed, in
// candidate order. Requests are taken as sent over TLS from no particular
// address (aws:SecureTransport true, no aws:SourceIp).
func (e *Engine) WhoCan(q *AccessQuery, cands []Candidate) []Access {
	var out []Access
	for i := range cands {
		d := e.EvaluateCandidate(q, &cands[i])
		if !d.Allowed {
			continue
		}
		a := Access{Principal: cands[i].Principal, Reason: d.Reason}
		for _, m := range d.Matched {
			if m.Statement.Effect == policy.Allow {
				a.Statements = append(a.Statements, m)
			}
		}
		out = append(out, a)
	}
	return out
}

// EvaluateCandidate is the decision Authorize would make for the candidate.
func (e *Engine) EvaluateCandidate(q *AccessQuery, c *Candidate) *Decision {
	p := &c.Principal
	req := &Request{Caller: &Caller{Principal: *p, SecureTransport: true}, Action: q.Action, Resource: q.Resource,
		ResourceAccount: q.ResourceAccount, ResourcePolicy: q.ResourcePolicy, ResourceTags: q.ResourceTags, Context: q.Context}
	oc := c.Org
	if !hasAccount(p) {
		oc = OrgContext{}
	}
	ev := Evaluation{
		Principal:       p,
		Resource:        q.ResourcePolicy,
		ResourceAccount: q.ResourceAccount,
		Action:          q.Action,
		ResourceARN:     q.Resource,
		Context:         e.buildContext(req, &oc, make([]string, 0, 16)),
	}
	if oc.SCPsEnabled && oc.ManagementAccount != p.AccountID {
		ev.SCPsEnabled = true
		ev.SCPs = oc.SCPs
		ev.SCPLevels = oc.SCPLevels
	}
	if p.Type == TypeUser || p.Type == TypeAssumedRole {
		for i := range c.Policies {
			switch c.Policies[i].Kind {
			case SessionPolicy:
				ev.Session = append(ev.Session, c.Policies[i])
			case PermissionsBoundary:
				if ev.Boundary == nil {
					ev.Boundary = &c.Policies[i]
				}
			case IdentityPolicy:
				ev.Identity = append(ev.Identity, c.Policies[i])
			}
		}
	}
	if p.SessionPolicy != "" {
		ev.Session = append(ev.Session, Policy{Kind: SessionPolicy, Name: "session-policy/inline", Document: p.SessionPolicy})
	}
	return e.Evaluate(&ev)
}
