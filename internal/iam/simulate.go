package iam

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/policy"
)

// ContextEntry is a context key the simulation supplies.
type ContextEntry struct {
	ContextKeyName   string `min:"5" max:"256"`
	ContextKeyValues []string
	ContextKeyType   string `enum:"string,stringList,numeric,numericList,boolean,booleanList,ip,ipList,binary,binaryList,date,dateList"`
}

type SimulatePrincipalPolicyInput struct {
	PolicySourceArn                    string         `required:"true" min:"20" max:"2048"`
	PolicyInputList                    []string       `pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
	PermissionsBoundaryPolicyInputList []string       `pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
	ActionNames                        []string       `required:"true"`
	ResourceArns                       []string       ``
	ResourcePolicy                     string         `min:"1" max:"131072" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
	ResourceOwner                      string         `min:"1" max:"2048"`
	CallerArn                          string         `min:"1" max:"2048"`
	ContextEntries                     []ContextEntry ``
	ResourceHandlingOption             string         `min:"1" max:"64"`
	MaxItems                           *int           `min:"1" max:"1000"`
	Marker                             string         `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
}

type SimulateCustomPolicyInput struct {
	PolicyInputList                    []string       `required:"true" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
	PermissionsBoundaryPolicyInputList []string       `pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
	ActionNames                        []string       `required:"true"`
	ResourceArns                       []string       ``
	ResourcePolicy                     string         `min:"1" max:"131072" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
	ResourceOwner                      string         `min:"1" max:"2048"`
	CallerArn                          string         `min:"1" max:"2048"`
	ContextEntries                     []ContextEntry ``
	ResourceHandlingOption             string         `min:"1" max:"64"`
	MaxItems                           *int           `min:"1" max:"1000"`
	Marker                             string         `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
}

// MatchedStatement is the Statement shape of the simulation output.
type MatchedStatement struct {
	SourcePolicyId   string
	SourcePolicyType string
}

// EvaluationResult is one action × resource answer.
type EvaluationResult struct {
	EvalActionName       string
	EvalResourceName     string
	EvalDecision         string
	MatchedStatements    []MatchedStatement
	MissingContextValues []string
	EvalDecisionDetails  map[string]string
}

type SimulatePolicyOutput struct {
	EvaluationResults []EvaluationResult
	IsTruncated       bool
	Marker            string
}

// simPolicy is a policy in a simulation with how the output names it.
type simPolicy struct {
	authz.Policy
	id, typ string
}

// simulation is everything a simulation evaluates besides action and resource.
type simulation struct {
	principal *authz.Principal
	identity  []simPolicy
	boundary  *authz.Policy
	resource  *authz.Policy
	owner     string
	entries   []ContextEntry
	source    string // PolicySourceArn; "" for SimulateCustomPolicy
}

// SimulatePrincipalPolicy evaluates the policies of a user, group or role
// (plus PolicyInputList) exactly as a request by that principal would be.
func (s *Service) SimulatePrincipalPolicy(ctx context.Context, c *authz.Caller, in *SimulatePrincipalPolicyInput) (*SimulatePolicyOutput, error) {
	if err := s.authorize(ctx, c, "iam:SimulatePrincipalPolicy", in.PolicySourceArn, nil); err != nil {
		return nil, err
	}
	pa, ok := parseIAMARN(in.PolicySourceArn)
	k := entityKinds[pa.Kind]
	if !ok || pa.Service != "iam" || pa.Account != c.AccountID || k == nil {
		return nil, errorf(InvalidInput, "Invalid Entity Arn: %s does not clearly define entity type and name.", in.PolicySourceArn)
	}
	sim, err := s.principalSimulation(ctx, k, pa.Account, pa.Name)
	if err != nil {
		return nil, err
	}
	sim.entries, sim.source = in.ContextEntries, in.PolicySourceArn
	return s.simulate(ctx, c, sim, in.PolicyInputList, in.PermissionsBoundaryPolicyInputList, in.ResourcePolicy,
		in.ResourceOwner, in.CallerArn, in.ActionNames, in.ResourceArns, in.Marker, in.MaxItems)
}

// principalSimulation loads the stored policies of the entity a simulation
// is about and, for a user or role, the principal its requests carry.
func (s *Service) principalSimulation(ctx context.Context, k *entityKind, acct, name string) (*simulation, error) {
	t, err := s.lookupTarget(ctx, acct, k, name)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, k.noSuch(name)
	}
	sim := &simulation{}
	var tags []Tag
	if k != kindGroup {
		if tags, err = s.st.tags(ctx, s.st.db, t.id); err != nil {
			return nil, err
		}
	}
	var pols []authz.Policy
	switch k {
	case kindUser:
		sim.principal = s.st.userPrincipal(t.user, tags)
		pols, err = s.st.userPolicies(ctx, s.st.db, t.user)
		if err == nil {
			sim.boundary, err = s.entityBoundary(ctx, "user", t.id)
		}
	case kindRole:
		sim.principal = s.st.rolePrincipal(t.role, t.role.Name, tags)
		pols, err = s.st.entityPolicies(ctx, s.st.db, k.name, t.id, t.name)
		if err == nil {
			sim.boundary, err = s.st.boundaryPolicy(ctx, s.st.db, t.role.Boundary)
		}
	default:
		pols, err = s.st.entityPolicies(ctx, s.st.db, k.name, t.id, t.name)
	}
	if err != nil {
		return nil, err
	}
	sim.identity = s.describePolicies(pols)
	return sim, nil
}

// entityBoundary is the stored boundary of a user or role, nil if none;
// PermissionsBoundaryPolicyInputList replaces it in a simulation.
func (s *Service) entityBoundary(ctx context.Context, kind, id string) (*authz.Policy, error) {
	arn, err := s.st.boundaryOf(ctx, s.st.db, kind, id)
	if err != nil {
		return nil, err
	}
	return s.st.boundaryPolicy(ctx, s.st.db, arn)
}

// SimulateCustomPolicy evaluates the given policies alone.
func (s *Service) SimulateCustomPolicy(ctx context.Context, c *authz.Caller, in *SimulateCustomPolicyInput) (*SimulatePolicyOutput, error) {
	if err := s.authorize(ctx, c, "iam:SimulateCustomPolicy", "*", nil); err != nil {
		return nil, err
	}
	if in.ResourcePolicy != "" && in.CallerArn == "" {
		return nil, errorf(InvalidInput, "Invalid input: CallerArn is required when a ResourcePolicy is given.")
	}
	sim := &simulation{entries: in.ContextEntries}
	return s.simulate(ctx, c, sim, in.PolicyInputList, in.PermissionsBoundaryPolicyInputList, in.ResourcePolicy,
		in.ResourceOwner, in.CallerArn, in.ActionNames, in.ResourceArns, in.Marker, in.MaxItems)
}

// describePolicies names stored policies as the simulator reports them.
func (s *Service) describePolicies(pols []authz.Policy) []simPolicy {
	out := make([]simPolicy, 0, len(pols))
	for _, p := range pols {
		sp := simPolicy{Policy: p, id: p.Name}
		if m := inlineName.FindStringSubmatch(p.Name); m != nil {
			sp.typ, sp.id = m[1], m[2]
		} else if pa, ok := parseIAMARN(p.Name); ok {
			sp.id = pa.Name
			sp.typ = "user-managed"
			if pa.Account == "aws" {
				sp.typ = "aws-managed"
			}
		}
		out = append(out, sp)
	}
	return out
}

var inlineName = regexp.MustCompile(`^(user|group|role)/[^/]+/inline/(.+)$`)

var accountFromOwner = regexp.MustCompile(`^(?:arn:[^:]+:iam::)?(\d{12})(?::root)?$`)

func (s *Service) simulate(ctx context.Context, c *authz.Caller, sim *simulation, inputs, boundaries []string, resourcePolicy, owner, callerARN string,
	actions, resources []string, marker string, maxItems *int) (*SimulatePolicyOutput, error) {
	for i, doc := range inputs {
		if err := s.validateDocument(doc, policy.Identity); err != nil {
			return nil, err
		}
		id := "PolicyInputList." + strconv.Itoa(i+1)
		sim.identity = append(sim.identity, simPolicy{Policy: authz.Policy{Kind: authz.IdentityPolicy, Name: id, Document: doc}, id: id, typ: "none"})
	}
	if len(boundaries) > 0 {
		if err := s.validateDocument(boundaries[0], policy.Identity); err != nil {
			return nil, err
		}
		sim.boundary = &authz.Policy{Kind: authz.PermissionsBoundary, Name: "PermissionsBoundaryPolicyInputList.1", Document: boundaries[0]}
	}
	if resourcePolicy != "" {
		if err := s.validateDocument(resourcePolicy, policy.Resource); err != nil {
			return nil, err
		}
		sim.resource = &authz.Policy{Kind: authz.ResourcePolicy, Name: "ResourcePolicy", Document: resourcePolicy}
	}
	if callerARN != "" {
		p, err := s.callerPrincipal(ctx, callerARN)
		if err != nil {
			return nil, err
		}
		sim.principal = p
	}
	if owner != "" {
		m := accountFromOwner.FindStringSubmatch(owner)
		if m == nil {
			return nil, errorf(InvalidInput, "Invalid ResourceOwner: %s", owner)
		}
		sim.owner = m[1]
	}
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	type pair struct{ action, resource string }
	var all []pair
	for _, a := range actions {
		for _, r := range resources {
			all = append(all, pair{a, r})
		}
	}
	index := map[pair]int{}
	for i, p := range all {
		index[p] = i
	}
	// The Marker is a position in the action × resource list: bind it to
	// that list and to the simulated principal.
	filter := append([]string{sim.source, strconv.Itoa(len(actions))}, actions...)
	scope := scopeOf(c, "Simulate", append(filter, resources...)...)
	page, next, trunc, err := paginate(all, func(p pair) string { return fmt.Sprintf("%08d", index[p]) }, scope, marker, maxItems)
	if err != nil {
		return nil, err
	}
	out := &SimulatePolicyOutput{EvaluationResults: make([]EvaluationResult, 0, len(page)), IsTruncated: trunc, Marker: next}
	for _, p := range page {
		r, err := s.simulateOne(ctx, c, sim, p.action, p.resource)
		if err != nil {
			return nil, err
		}
		out.EvaluationResults = append(out.EvaluationResults, *r)
	}
	return out, nil
}

// callerPrincipal resolves CallerArn: a user of this server, else a
// principal built from the ARN alone.
func (s *Service) callerPrincipal(ctx context.Context, arn string) (*authz.Principal, error) {
	pa, ok := parseIAMARN(arn)
	if !ok || pa.Service != "iam" || pa.Kind != "user" {
		return nil, errorf(InvalidInput, "Invalid CallerArn: %s is not an IAM user ARN.", arn)
	}
	u, err := s.st.getEntity(ctx, s.st.db, "user", pa.Account, pa.Name)
	if err != nil {
		return nil, err
	}
	if u != nil && u.Path == pa.Path {
		tags, err := s.st.tags(ctx, s.st.db, u.ID)
		if err != nil {
			return nil, err
		}
		return s.st.userPrincipal(u, tags), nil
	}
	return &authz.Principal{Type: authz.TypeUser, AccountID: pa.Account, ARN: arn, PrincipalARN: arn, UserName: pa.Name}, nil
}

func (s *Service) simulateOne(ctx context.Context, c *authz.Caller, sim *simulation, action, resource string) (*EvaluationResult, error) {
	pctx, err := s.simContext(ctx, sim, action, resource)
	if err != nil {
		return nil, err
	}
	ev := &authz.Evaluation{
		Principal: sim.principal, Boundary: sim.boundary, Resource: sim.resource,
		ResourceAccount: sim.owner, Action: action, ResourceARN: resource, Context: pctx,
	}
	names := map[string]simPolicy{}
	for _, p := range sim.identity {
		ev.Identity = append(ev.Identity, p.Policy)
		names[p.Name] = p
	}
	if sim.resource != nil {
		names[sim.resource.Name] = simPolicy{Policy: *sim.resource, id: "ResourcePolicy", typ: "resource"}
	}
	if sim.boundary != nil {
		names[sim.boundary.Name] = simPolicy{Policy: *sim.boundary, id: sim.boundary.Name, typ: "none"}
	}
	d := s.authz.Evaluate(ev)
	r := &EvaluationResult{EvalActionName: action, EvalResourceName: resource, EvalDecision: simDecision(d), MissingContextValues: d.MissingContextValues}
	seen := map[string]bool{}
	for _, m := range d.Matched {
		// The decision's deciding statements: allows when allowed, denies when denied.
		if d.Allowed != (m.Statement.Effect == policy.Allow) {
			continue
		}
		sp, ok := names[m.Policy]
		if !ok || seen[m.Policy] {
			continue
		}
		seen[m.Policy] = true
		r.MatchedStatements = append(r.MatchedStatements, MatchedStatement{SourcePolicyId: sp.id, SourcePolicyType: sp.typ})
	}
	r.MatchedStatements = nonNil(r.MatchedStatements)
	r.MissingContextValues = nonNil(r.MissingContextValues)
	if sim.resource != nil {
		res := "implicitDeny"
		switch {
		case d.Reason == authz.DeniedExplicitResource:
			res = "explicitDeny"
		case d.Reason == authz.AllowedByResource || d.Reason == authz.AllowedByBoth:
			res = "allowed"
		}
		r.EvalDecisionDetails = map[string]string{"ResourcePolicy": res}
	}
	return r, nil
}

// simContext builds the context exactly as a real request by the principal
// would have it, then adds the simulation's context entries.
func (s *Service) simContext(ctx context.Context, sim *simulation, action, resource string) (*policy.Context, error) {
	extra := map[string][]string{}
	for _, e := range sim.entries {
		extra[e.ContextKeyName] = e.ContextKeyValues
	}
	if sim.principal == nil {
		// No principal: the engine's context for an anonymous caller (time,
		// transport, service defaults) minus the principal's type.
		full, err := s.authz.Context(ctx, &authz.Request{
			Caller: &authz.Caller{Principal: authz.Principal{Type: authz.TypeAnonymous}, SecureTransport: true},
			Action: action, Resource: resource, Context: extra,
		})
		if err != nil {
			return nil, err
		}
		pctx := policy.NewContext()
		for _, k := range full.Keys() {
			if k != "aws:principaltype" {
				v, _ := full.Get(k)
				pctx.Set(k, v...)
			}
		}
		return withEntries(pctx, sim.entries), nil
	}
	pctx, err := s.authz.Context(ctx, &authz.Request{
		Caller: &authz.Caller{Principal: *sim.principal, SecureTransport: true},
		Action: action, Resource: resource, ResourceAccount: sim.owner, Context: extra,
	})
	if err != nil {
		return nil, err
	}
	return withEntries(pctx, sim.entries), nil
}

// withEntries sets the simulation's context entries last: authz never takes
// the principal's keys (aws:username, aws:Principal*) from a request, but
// the simulator's caller supplies exactly those to test such conditions.
func withEntries(pctx *policy.Context, entries []ContextEntry) *policy.Context {
	for _, e := range entries {
		pctx.Set(strings.ToLower(e.ContextKeyName), e.ContextKeyValues...)
	}
	return pctx
}

func simDecision(d *authz.Decision) string {
	switch {
	case d.Allowed:
		return "allowed"
	case d.DecidingDeny != nil:
		return "explicitDeny"
	}
	return "implicitDeny"
}
