package authz

import (
	"strings"
	"sync"
	"unsafe"

	"github.com/openpca/openpca/internal/policy"
)

// UnparsedPolicy records a stored policy that failed to parse; it contributes
// nothing to the decision (no allow, no deny).
type UnparsedPolicy struct {
	Policy string
	Kind   PolicyKind
	Err    error
}

// memo maps document text to its parsed form without converting the text to
// bytes or hashing it, which policy.Cache would do on every request.
type memoKey struct {
	kind policy.Kind
	text string
}

type memoVal struct {
	doc  *policy.Document
	err  error
	text string // the last string seen with this text
}

// ptrKey identifies a document by the address and length of its text.
// Callers that cache their policies (pca's CA policies, RAM-written with
// thousands of statements) pass the same string every time; looking it up by
// address skips hashing the whole text. Strings are immutable and the entry
// keeps its text alive, so an address cannot be reused while it is present.
type ptrKey struct {
	kind policy.Kind
	p    *byte
	n    int
}

type docMemo struct {
	mu    sync.RWMutex
	m     map[memoKey]memoVal
	byPtr map[ptrKey]memoVal
	bytes int // total text held, bounded by memoMaxBytes
}

// memoMaxBytes bounds the text the memo keeps alive; past it the memo starts
// over (the policy.Cache behind it still holds the compiled documents).
const memoMaxBytes = 8 << 20

func docKind(k PolicyKind) policy.Kind {
	switch k {
	case ResourcePolicy, ResourceControlPolicy:
		return policy.Resource
	case ServiceControlPolicy:
		return policy.SCP
	case TrustPolicy:
		return policy.Trust
	}
	return policy.Identity
}

// parse returns the compiled document through the memo and the policy cache.
func (e *Engine) parse(text string, kind policy.Kind) (*policy.Document, error) {
	pk := ptrKey{kind, unsafe.StringData(text), len(text)}
	key := memoKey{kind, text}
	e.memo.mu.RLock()
	v, hit := e.memo.byPtr[pk]
	if hit {
		e.memo.mu.RUnlock()
		return v.doc, v.err
	}
	v, ok := e.memo.m[key]
	e.memo.mu.RUnlock()
	if !ok {
		v.doc, v.err = e.docs.Parse([]byte(text), kind)
	}
	// Index the string by address only once the same string is seen twice:
	// callers that read a fresh copy of a policy per request must not fill
	// byPtr with copies.
	again := ok && unsafe.StringData(v.text) == pk.p
	v.text = text
	e.memo.mu.Lock()
	if len(e.memo.m) >= docCacheSize || len(e.memo.byPtr) >= docCacheSize || e.memo.bytes+len(text) > memoMaxBytes {
		clear(e.memo.m)
		clear(e.memo.byPtr)
		e.memo.bytes = 0
	}
	if _, dup := e.memo.m[key]; !dup {
		e.memo.bytes += len(text)
	}
	e.memo.m[key] = v
	if again {
		if _, dup := e.memo.byPtr[pk]; !dup {
			e.memo.bytes += len(text) // an older copy may stay alive in m
		}
		e.memo.byPtr[pk] = v
	}
	e.memo.mu.Unlock()
	return v.doc, v.err
}

// setOutcome summarizes one kind of policy (all identity policies, all
// session policies, …).
type setOutcome struct {
	present bool            // at least one policy of the kind was supplied
	allow   bool            // some statement allowed
	deny    *StatementMatch // first explicit deny, if any
	direct  bool            // resource only: an allow named the caller's own ARN
	// grants: resource only: an allow matched the caller by more than its
	// account. Naming an account delegates to that account's identity
	// policies; it grants nothing by itself, even in the same account.
	grants bool
}

// evaluator accumulates the explanation while the sets are evaluated.
type evaluator struct {
	e    *Engine
	d    *Decision
	req  policy.Request
	p    *Principal
	seen map[string]struct{} // missing keys already reported
}

func (v *evaluator) evalSet(pols []Policy, kind PolicyKind) setOutcome {
	var out setOutcome
	for i := range pols {
		v.evalOne(&pols[i], kind, &out)
	}
	return out
}

func (v *evaluator) evalOne(pol *Policy, kind PolicyKind, out *setOutcome) {
	out.present = true
	doc, err := v.e.parse(pol.Document, docKind(kind))
	if err != nil {
		v.d.Unparsed = append(v.d.Unparsed, UnparsedPolicy{Policy: pol.Name, Kind: kind, Err: err})
		return
	}
	r := doc.Evaluate(&v.req)
	for _, ref := range r.Matched {
		v.d.Matched = append(v.d.Matched, StatementMatch{Policy: pol.Name, Kind: kind, Statement: ref})
		switch ref.Effect {
		case policy.Deny:
			if out.deny == nil {
				m := v.d.Matched[len(v.d.Matched)-1]
				out.deny = &m
			}
		case policy.Allow:
			out.allow = true
			if kind == ResourcePolicy || kind == TrustPolicy {
				if !out.direct && namesCaller(doc, ref, v.p) {
					out.direct = true
				}
				if !out.grants && !matchedOnlyByAccount(doc, ref, v.p) {
					out.grants = true
				}
			}
		}
	}
	for _, miss := range r.ConditionMisses {
		v.d.ConditionMisses = append(v.d.ConditionMisses, ConditionMissIn{Policy: pol.Name, Kind: kind, Miss: miss})
	}
	for _, k := range r.MissingKeys {
		if v.seen == nil {
			v.seen = make(map[string]struct{})
		}
		if _, dup := v.seen[k]; !dup {
			v.seen[k] = struct{}{}
			v.d.MissingContextValues = append(v.d.MissingContextValues, k)
		}
	}
}

// evalSCPs evaluates the SCP levels of ev (the flat SCPs as one level when
// no levels are given): allow only when every level allows; the first
// explicit deny at any level is kept.
func (v *evaluator) evalSCPs(ev *Evaluation) setOutcome {
	if len(ev.SCPLevels) == 0 {
		return v.evalSet(ev.SCPs, ServiceControlPolicy)
	}
	out := setOutcome{allow: true}
	for _, level := range ev.SCPLevels {
		o := v.evalSet(level, ServiceControlPolicy)
		out.present = out.present || o.present
		if out.deny == nil {
			out.deny = o.deny
		}
		if !o.allow {
			out.allow = false
		}
	}
	return out
}

// namesCaller reports whether the allowing statement lists the caller's own
// ARN (a user ARN or a role-session ARN). Such a grant is not limited by
// session policies or a permissions boundary; one reached through the role
// ARN, the account or "*" is (IAM evaluation logic, same-account case).
func namesCaller(doc *policy.Document, ref policy.StatementRef, p *Principal) bool {
	if p == nil || (p.Type != TypeUser && p.Type != TypeAssumedRole) || p.ARN == "" {
		return false
	}
	if ref.Index < 0 || ref.Index >= len(doc.Statements) {
		return false
	}
	ps := doc.Statements[ref.Index].Principal
	if ps == nil {
		return false
	}
	for _, a := range ps.AWS {
		// A stored policy names a user by its unique ID (a role's ID names
		// the role, like its ARN, not the session).
		if a == p.ARN || (p.Type == TypeUser && p.EntityID != "" && a == p.EntityID) {
			return true
		}
	}
	return false
}

// matchedOnlyByAccount reports whether the statement ref matched p only
// through an account entry ("123456789012" or its :root ARN) rather than
// through "*", the caller's own ARN, its role ARN or its service name.
func matchedOnlyByAccount(doc *policy.Document, ref policy.StatementRef, p *Principal) bool {
	if p == nil || ref.Index < 0 || ref.Index >= len(doc.Statements) {
		return false
	}
	st := &doc.Statements[ref.Index]
	ps := st.Principal
	if ps == nil {
		// NotPrincipal: the caller matched by not being listed; that is a
		// grant to everyone else, not a delegation.
		return false
	}
	if ps.Wildcard {
		return false
	}
	for _, a := range ps.AWS {
		if a == "*" || (p.ARN != "" && a == p.ARN) || (p.PrincipalARN != "" && a == p.PrincipalARN) || (p.EntityID != "" && a == p.EntityID) {
			return false
		}
	}
	if p.ServiceName != "" {
		for _, sv := range ps.Service {
			if strings.EqualFold(sv, p.ServiceName) {
				return false
			}
		}
	}
	return true
}

// decisionBlock holds a decision and the buffers one evaluation needs, so
// that they cost one allocation.
type decisionBlock struct {
	d       Decision
	pp      policy.Principal
	arns    [3]string
	matched [4]StatementMatch
	vals    [16]string // single-valued context keys (Authorize only)
}

// policyPrincipal describes p for Principal matching in resource policies.
func policyPrincipal(p *Principal, blk *decisionBlock) *policy.Principal {
	pp := &blk.pp
	switch p.Type {
	case TypeService:
		pp.Service = p.ServiceName
		return pp
	case TypeAnonymous:
		pp.Anonymous = true
		return pp
	}
	pp.Account = p.AccountID
	n := 0
	if p.ARN != "" {
		blk.arns[n] = p.ARN
		n++
	}
	if p.PrincipalARN != "" && p.PrincipalARN != p.ARN {
		blk.arns[n] = p.PrincipalARN
		n++
	}
	// Policies name users and roles by unique ID once stored.
	if p.EntityID != "" {
		blk.arns[n] = p.EntityID
		n++
	}
	pp.ARNs = blk.arns[:n:n]
	return pp
}

// Evaluate applies AWS's evaluation logic to ev:
//  1. an explicit Deny in any applicable policy denies (reported in the order
//     SCP, identity, session, boundary, resource);
//  2. with SCPs in force, a level of the SCP chain (root, OUs, account)
//     without an Allow denies;
//  3. same account: the root user is allowed; otherwise identity policies
//     (within session policies and boundary, when present) or the resource
//     policy allow — a resource grant naming the caller's own ARN is not
//     limited by session policies or boundary;
//  4. cross account: both the identity side (root counts as allowed) and the
//     resource policy must allow;
//  5. service and anonymous principals are judged by the resource policy alone.
//
// With ev.Principal nil only identity, session, boundary and SCP documents are
// evaluated, as for SimulateCustomPolicy.
func (e *Engine) Evaluate(ev *Evaluation) *Decision {
	return e.evaluate(ev, new(decisionBlock))
}

func (e *Engine) evaluate(ev *Evaluation, blk *decisionBlock) *Decision {
	d := &blk.d
	d.Matched = blk.matched[:0]
	v := evaluator{e: e, d: d, p: ev.Principal}
	v.req = policy.Request{Action: ev.Action, Resource: ev.ResourceARN, Context: ev.Context}
	p := ev.Principal
	resourceOnly := false
	if p != nil {
		v.req.Principal = policyPrincipal(p, blk)
		resourceOnly = p.Type == TypeService || p.Type == TypeAnonymous
	}

	var scp, id, sess, bnd, res setOutcome
	applySCP := ev.SCPsEnabled && !resourceOnly
	if applySCP {
		scp = v.evalSCPs(ev)
	}
	if !resourceOnly {
		id = v.evalSet(ev.Identity, IdentityPolicy)
		sess = v.evalSet(ev.Session, SessionPolicy)
		if ev.Boundary != nil {
			v.evalOne(ev.Boundary, PermissionsBoundary, &bnd)
		}
	}
	if p != nil && ev.Resource != nil {
		kind := ResourcePolicy
		if ev.Resource.Kind == TrustPolicy {
			kind = TrustPolicy
		}
		v.evalOne(ev.Resource, kind, &res)
	}

	d.Allowed, d.Reason = decide(ev, applySCP, resourceOnly, scp, id, sess, bnd, res)
	switch d.Reason {
	case DeniedExplicitSCP:
		d.DecidingDeny = scp.deny
	case DeniedExplicitIdentity:
		d.DecidingDeny = id.deny
	case DeniedExplicitSession:
		d.DecidingDeny = sess.deny
	case DeniedExplicitBoundary:
		d.DecidingDeny = bnd.deny
	case DeniedExplicitResource:
		d.DecidingDeny = res.deny
	}
	v.applyRCPs(ev, d)
	if !d.Allowed {
		d.Message = DenialMessage(p, ev.Action, ev.ResourceARN, d.Reason)
	}
	if len(d.Matched) == 0 {
		d.Matched = nil
	}
	return d
}

// decide is the decision table of Evaluate.
func decide(ev *Evaluation, applySCP, resourceOnly bool, scp, id, sess, bnd, res setOutcome) (bool, Reason) {
	switch {
	case scp.deny != nil:
		return false, DeniedExplicitSCP
	case id.deny != nil:
		return false, DeniedExplicitIdentity
	case sess.deny != nil:
		return false, DeniedExplicitSession
	case bnd.deny != nil:
		return false, DeniedExplicitBoundary
	case res.deny != nil:
		return false, DeniedExplicitResource
	}
	if applySCP && !scp.allow {
		return false, DeniedNoSCPAllow
	}
	if resourceOnly {
		if res.allow {
			return true, AllowedByResource
		}
		return false, DeniedNoResourceAllow
	}

	p := ev.Principal
	sameAccount := p == nil || ev.ResourceAccount == "" || ev.ResourceAccount == p.AccountID
	root := p != nil && p.Type == TypeAccount
	limitsOK := (!sess.present || sess.allow) && (!bnd.present || bnd.allow)
	// limitReason names the limit that failed.
	limitReason := DeniedNoBoundaryAllow
	if sess.present && !sess.allow {
		limitReason = DeniedNoSessionAllow
	}

	if root {
		if sameAccount {
			return true, AllowedAsRoot
		}
		if res.allow {
			return true, AllowedByBoth
		}
		return false, DeniedNoResourceAllow
	}

	idOK := id.allow && limitsOK
	if ev.Resource != nil && ev.Resource.Kind == TrustPolicy {
		// A role is assumable only when its trust policy allows the caller;
		// a trust naming the caller itself (same account) needs nothing more.
		switch {
		case !res.allow:
			return false, DeniedNoResourceAllow
		case sameAccount && res.grants && (res.direct || limitsOK):
			return true, AllowedByResource
		case idOK:
			return true, AllowedByBoth
		case id.allow && !limitsOK:
			return false, limitReason
		}
		return false, DeniedNoIdentityAllow
	}
	if sameAccount {
		resOK := res.grants && (res.direct || limitsOK)
		switch {
		case idOK && resOK:
			return true, AllowedByBoth
		case idOK:
			return true, AllowedByIdentity
		case resOK:
			return true, AllowedByResource
		case (id.allow || res.allow) && !limitsOK:
			return false, limitReason
		}
		return false, DeniedNoIdentityAllow
	}

	switch {
	case idOK && res.allow:
		return true, AllowedByBoth
	case idOK:
		return false, DeniedNoResourceAllow
	case id.allow && !limitsOK:
		return false, limitReason
	}
	return false, DeniedNoIdentityAllow
}
