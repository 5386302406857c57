package authz

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/policy"
)

// DefaultOrgCacheTTL bounds how long an account's organization context is
// reused before OrgSource is asked again; Invalidate makes changes immediate.
const DefaultOrgCacheTTL = time.Second

// docCacheSize is the number of distinct documents kept parsed.
const docCacheSize = 4096

// Engine makes authorization decisions. It is safe for concurrent use.
type Engine struct {
	ids  IdentitySource
	orgs OrgSource
	clk  clock.Clock

	docs *policy.Cache
	memo docMemo

	orgTTL   atomic.Int64 // time.Duration
	orgMu    sync.RWMutex
	orgCache map[string]orgEntry
	// orgGen counts invalidations; a context read from the source is cached
	// only if no invalidation happened meanwhile, so a change made during
	// the read is never hidden behind a stale entry.
	orgGen atomic.Uint64

	times atomic.Pointer[timeStrings]
}

type orgEntry struct {
	oc      OrgContext
	expires time.Time
}

// timeStrings caches the formatted aws:CurrentTime/aws:EpochTime for one
// second, so that most requests format nothing.
type timeStrings struct {
	unix  int64
	iso   string
	epoch string
}

// New returns an engine. ids supplies identity policies (nil: principals have
// none); orgs supplies organization context (nil: no account is in an
// organization); clk supplies aws:CurrentTime and the org cache's clock.
func New(ids IdentitySource, orgs OrgSource, clk clock.Clock) *Engine {
	if clk == nil {
		clk = clock.Real{}
	}
	e := &Engine{
		ids:      ids,
		orgs:     orgs,
		clk:      clk,
		docs:     policy.NewCache(docCacheSize),
		orgCache: make(map[string]orgEntry),
	}
	e.memo.m = make(map[memoKey]memoVal)
	e.memo.byPtr = make(map[ptrKey]memoVal)
	e.orgTTL.Store(int64(DefaultOrgCacheTTL))
	return e
}

// SetOrgCacheTTL changes how long organization context is cached (0
// disables caching) and drops what is cached.
func (e *Engine) SetOrgCacheTTL(d time.Duration) {
	e.orgTTL.Store(int64(d))
	e.InvalidateAll()
}

// Invalidate drops the cached organization context of accountID, so that a
// membership or SCP change applies to the next request.
func (e *Engine) Invalidate(accountID string) {
	e.orgMu.Lock()
	e.orgGen.Add(1)
	delete(e.orgCache, accountID)
	e.orgMu.Unlock()
}

// InvalidateAll drops every cached organization context (e.g. after an SCP
// attached to a root or OU changed).
func (e *Engine) InvalidateAll() {
	e.orgMu.Lock()
	e.orgGen.Add(1)
	clear(e.orgCache)
	e.orgMu.Unlock()
}

// orgContext returns accountID's organization context, cached for the TTL.
// Store errors are not cached.
func (e *Engine) orgContext(ctx context.Context, accountID string) (OrgContext, error) {
	if e.orgs == nil || accountID == "" {
		return OrgContext{}, nil
	}
	now := e.clk.Now()
	e.orgMu.RLock()
	ent, ok := e.orgCache[accountID]
	e.orgMu.RUnlock()
	if ok && now.Before(ent.expires) {
		return ent.oc, nil
	}
	gen := e.orgGen.Load()
	oc, err := e.orgs.OrgContext(ctx, accountID)
	if err != nil {
		return OrgContext{}, fmt.Errorf("authz: organization context of %s: %w", accountID, err)
	}
	if ttl := time.Duration(e.orgTTL.Load()); ttl > 0 {
		e.orgMu.Lock()
		if e.orgGen.Load() == gen {
			e.orgCache[accountID] = orgEntry{oc: oc, expires: now.Add(ttl)}
		}
		e.orgMu.Unlock()
	}
	return oc, nil
}

// isServiceLinkedRole reports whether p is a session of a service-linked
// role, by the attribute IAM resolved from the stored role (not the ARN).
func isServiceLinkedRole(p *Principal) bool {
	return p.Type == TypeAssumedRole && p.ServiceLinked
}

// hasAccount reports whether the principal acts as a member of an account
// (service principals and anonymous callers do not).
func hasAccount(p *Principal) bool {
	return p.AccountID != "" && p.Type != TypeService && p.Type != TypeAnonymous
}

// Authorize gathers every policy that applies to req and decides. The
// identity policies come from IdentitySource: for a role session these
// include the managed session policies passed as PolicyArns (Kind
// SessionPolicy), already resolved to documents by the source; the inline
// Principal.SessionPolicy is added here. A policy of Kind PermissionsBoundary
// returned by the source is used as the boundary. The error is non-nil only
// when a source fails; a denial is a Decision with Allowed false.
func (e *Engine) Authorize(ctx context.Context, req *Request) (*Decision, error) {
	if req == nil || req.Caller == nil {
		return nil, fmt.Errorf("authz: request without caller")
	}
	p := &req.Caller.Principal
	var oc OrgContext
	if hasAccount(p) {
		var err error
		if oc, err = e.orgContext(ctx, p.AccountID); err != nil {
			return nil, err
		}
	}
	blk := new(decisionBlock)
	pctx := e.buildContext(req, &oc, blk.vals[:0])

	ev := Evaluation{
		Principal:       p,
		Resource:        req.ResourcePolicy,
		ResourceAccount: req.ResourceAccount,
		Action:          req.Action,
		ResourceARN:     req.Resource,
		Context:         pctx,
	}
	// SCPs bound member accounts' principals, but never the management
	// account nor service-linked roles (AWS Organizations: "SCPs do not
	// affect service-linked roles").
	if oc.SCPsEnabled && oc.ManagementAccount != p.AccountID && !isServiceLinkedRole(p) {
		ev.SCPsEnabled = true
		ev.SCPs = oc.SCPs
		ev.SCPLevels = oc.SCPLevels
	}
	rcps, err := e.rcpLevels(ctx, req, &oc)
	if err != nil {
		return nil, err
	}
	ev.RCPLevels = rcps
	if (p.Type == TypeUser || p.Type == TypeAssumedRole) && e.ids != nil {
		pols, err := e.ids.IdentityPolicies(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("authz: identity policies of %s: %w", p.ARN, err)
		}
		ev.Identity = pols
		if splitNeeded(pols) {
			ev.Identity = nil
			for i := range pols {
				switch pols[i].Kind {
				case SessionPolicy:
					ev.Session = append(ev.Session, pols[i])
				case PermissionsBoundary:
					if ev.Boundary == nil {
						ev.Boundary = &pols[i]
					}
				case IdentityPolicy:
					ev.Identity = append(ev.Identity, pols[i])
				}
			}
		}
	}
	if p.SessionPolicy != "" {
		ev.Session = append(ev.Session, Policy{Kind: SessionPolicy, Name: "session-policy/inline", Document: p.SessionPolicy})
	}
	return e.evaluate(&ev, blk), nil
}

// splitNeeded reports whether pols holds anything but identity policies; the
// common case then needs no copying.
func splitNeeded(pols []Policy) bool {
	for i := range pols {
		if pols[i].Kind != IdentityPolicy {
			return true
		}
	}
	return false
}

// Check is Authorize for callers that only need yes or no: nil when allowed,
// *DeniedError when denied, another error when a source failed.
func (e *Engine) Check(ctx context.Context, req *Request) error {
	d, err := e.Authorize(ctx, req)
	if err != nil {
		return err
	}
	if !d.Allowed {
		return &DeniedError{Decision: d}
	}
	return nil
}

// Context returns the complete request context of req: the global keys from
// the principal, its organization, the clock and the transport, then the
// keys of req.Context. Keys naming the principal (aws:Principal*, aws:userid,
// aws:username) are never taken from req.Context: they describe the
// authenticated caller only.
func (e *Engine) Context(ctx context.Context, req *Request) (*policy.Context, error) {
	if req == nil || req.Caller == nil {
		return nil, fmt.Errorf("authz: request without caller")
	}
	var oc OrgContext
	if p := &req.Caller.Principal; hasAccount(p) {
		var err error
		if oc, err = e.orgContext(ctx, p.AccountID); err != nil {
			return nil, err
		}
	}
	return e.buildContext(req, &oc, make([]string, 0, 16)), nil
}

// ctxBuilder sets single-valued keys from one backing array, so that a
// context costs a few allocations rather than one per key.
type ctxBuilder struct {
	c    *policy.Context
	vals []string
}

func (b *ctxBuilder) one(key, v string) {
	i := len(b.vals)
	b.vals = append(b.vals, v)
	b.c.Set(key, b.vals[i:i+1:i+1]...)
}

// Keys are written lower-case: policy.Context stores them so, and an
// already lower-case key is not copied.
// vals is the backing store for single values.
func (e *Engine) buildContext(req *Request, oc *OrgContext, vals []string) *policy.Context {
	c := policy.NewContext()
	p := &req.Caller.Principal
	b := ctxBuilder{c: c, vals: vals}

	b.one("aws:principaltype", string(p.Type))
	switch p.Type {
	case TypeService:
		b.one("aws:principalisawsservice", "true")
		if p.ServiceName != "" {
			b.one("aws:principalservicename", p.ServiceName)
		}
		if p.AccountID != "" {
			// A service acting for an account (ACM renewing a managed
			// certificate) names it as aws:SourceAccount, the key that
			// confused-deputy conditions test.
			b.one("aws:sourceaccount", p.AccountID)
		}
	case TypeAnonymous:
		if p.UserID != "" {
			b.one("aws:userid", p.UserID)
		}
	default:
		b.one("aws:principalisawsservice", "false")
		if p.AccountID != "" {
			b.one("aws:principalaccount", p.AccountID)
		}
		if arn := principalARN(p); arn != "" {
			b.one("aws:principalarn", arn)
		}
		if p.UserID != "" {
			b.one("aws:userid", p.UserID)
		}
		if p.Type == TypeUser && p.UserName != "" {
			b.one("aws:username", p.UserName)
		}
		e.credentialKeys(&b, p)
		if oc.OrgID != "" {
			b.one("aws:principalorgid", oc.OrgID)
			if len(oc.Paths) > 0 {
				c.Set("aws:principalorgpaths", oc.Paths...)
			}
		}
	}
	for k, v := range p.Tags {
		b.one("aws:principaltag/"+strings.ToLower(k), v)
	}
	for k, v := range req.ResourceTags {
		b.one("aws:resourcetag/"+strings.ToLower(k), v)
	}

	ts := e.timeStrings()
	b.one("aws:currenttime", ts.iso)
	b.one("aws:epochtime", ts.epoch)
	if req.Caller.SecureTransport {
		b.one("aws:securetransport", "true")
	} else {
		b.one("aws:securetransport", "false")
	}
	if req.Caller.SourceIP != "" {
		b.one("aws:sourceip", req.Caller.SourceIP)
	}
	if req.Caller.Region != "" {
		b.one("aws:requestedregion", req.Caller.Region)
	}

	for k, v := range req.Context {
		lk := lowerKey(k)
		if principalKey(lk) {
			continue
		}
		c.Set(lk, v...)
	}
	// IssueCertificate without TemplateArn uses the default template; the
	// key must carry it, or the canonical shares would deny such calls.
	if strings.EqualFold(req.Action, "acm-pca:IssueCertificate") {
		if _, ok := c.Get("acm-pca:templatearn"); !ok {
			b.one("acm-pca:templatearn", DefaultTemplateARN(partitionOf(req.Resource)))
		}
	}
	return c
}

// credentialKeys sets the keys that describe the credentials, as AWS does:
// aws:TokenIssueTime and aws:MultiFactorAuthPresent only for temporary
// credentials (the latter also when a code was verified by this very
// call), aws:MultiFactorAuthAge only when MFA was used. They let the
// console's "revoke active sessions" policy deny older sessions.
func (e *Engine) credentialKeys(b *ctxBuilder, p *Principal) {
	if !p.TokenIssueTime.IsZero() {
		b.one("aws:tokenissuetime", p.TokenIssueTime.UTC().Format("2006-01-02T15:04:05Z"))
	}
	switch {
	case !p.MFAAuthTime.IsZero():
		b.one("aws:multifactorauthpresent", "true")
		age := max(int64(e.clk.Now().Sub(p.MFAAuthTime)/time.Second), 0)
		b.one("aws:multifactorauthage", strconv.FormatInt(age, 10))
	case !p.TokenIssueTime.IsZero():
		b.one("aws:multifactorauthpresent", "false")
	}
}

// DefaultTemplateARN is the template IssueCertificate uses when the request
// names none: EndEntityCertificate/V1 in the given partition.
func DefaultTemplateARN(partition string) string {
	if partition == "" || partition == "aws" {
		return defaultTemplateAWS
	}
	return "arn:" + partition + ":acm-pca:::template/EndEntityCertificate/V1"
}

const defaultTemplateAWS = "arn:aws:acm-pca:::template/EndEntityCertificate/V1"

// partitionOf returns the partition of an ARN, "" when s is not one.
func partitionOf(s string) string {
	const prefix = "arn:"
	if !strings.HasPrefix(s, prefix) {
		return ""
	}
	rest := s[len(prefix):]
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		return rest[:i]
	}
	return ""
}

// principalARN is aws:PrincipalArn: the role's ARN for a session.
func principalARN(p *Principal) string {
	if p.PrincipalARN != "" {
		return p.PrincipalARN
	}
	return p.ARN
}

func principalKey(lk string) bool {
	return strings.HasPrefix(lk, "aws:principal") || lk == "aws:userid" || lk == "aws:username" ||
		lk == "aws:tokenissuetime" || strings.HasPrefix(lk, "aws:multifactorauth")
}

// knownKeys maps the request keys services commonly pass to their
// lower-case form without allocating.
var knownKeys = func() map[string]string {
	m := make(map[string]string)
	for _, k := range []string{
		"acm-pca:TemplateArn", "aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID",
		"aws:TagKeys", "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast",
		"aws:ViaAWSService", "aws:RequestedRegion", "sts:ExternalId", "sts:RoleSessionName",
		"iam:AWSServiceName", "iam:PolicyARN", "iam:PermissionsBoundary",
		"ram:RequestedResourceType", "ram:ResourceArn", "ram:Principal",
		"ram:RequestedAllowsExternalPrincipals", "ram:AllowsExternalPrincipals",
		"ram:ResourceShareName", "ram:PermissionArn", "ram:ShareOwnerAccountId",
		"organizations:ServicePrincipal",
	} {
		m[k] = strings.ToLower(k)
	}
	return m
}()

func lowerKey(k string) string {
	for i := 0; i < len(k); i++ {
		if c := k[i]; 'A' <= c && c <= 'Z' {
			if l, ok := knownKeys[k]; ok {
				return l
			}
			return strings.ToLower(k)
		}
	}
	return k
}

// timeStrings returns the clock's current second formatted for
// aws:CurrentTime (ISO 8601, UTC) and aws:EpochTime.
func (e *Engine) timeStrings() *timeStrings {
	now := e.clk.Now().UTC()
	sec := now.Unix()
	if ts := e.times.Load(); ts != nil && ts.unix == sec {
		return ts
	}
	ts := &timeStrings{
		unix:  sec,
		iso:   now.Truncate(time.Second).Format("2006-01-02T15:04:05Z"),
		epoch: strconv.FormatInt(sec, 10),
	}
	e.times.Store(ts)
	return ts
}
