package pca

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/openpca/openpca/internal/authz"
)

// policyCacheTTL bounds how long a CA's resource policy is reused. Changes
// made through this Service invalidate at once; the TTL bounds staleness
// when several processes share one database.
const policyCacheTTL = time.Second

// caPolicies is what authorize attaches for one CA: the merged policy (the
// PutPolicy document plus the ACM permission statements) for the shareable
// actions, and its Deny statements alone for every other action. Either is
// nil when there is nothing to attach.
type caPolicies struct {
	full, denyOnly *authz.Policy
	expires        time.Time
}

// policyState is the Service's policy cache and who-can directory.
type policyState struct {
	mu    sync.RWMutex
	byCA  map[string]*caPolicies
	gen   uint64 // bumped by every invalidation
	dirMu sync.RWMutex
	dir   Directory
	names PrincipalMapper // guarded by dirMu
}

func (s *Service) pstate() *policyState { return &s.policy }

// invalidatePolicy drops the cached policy of a CA, so that the next call
// reads it again. PutPolicy and DeletePolicy call it; so must any change to
// what permissionStatements returns (CreatePermission, DeletePermission).
func (s *Service) invalidatePolicy(caID string) {
	s.dropPolicy(caID)
	s.notify(channelPolicy, caID)
}

// dropPolicy drops this server's cached policy of a CA ("": every CA).
func (s *Service) dropPolicy(caID string) {
	st := s.pstate()
	st.mu.Lock()
	if caID == "" {
		st.byCA = nil
	}
	delete(st.byCA, caID)
	st.gen++
	st.mu.Unlock()
}

// policiesFor returns the CA's policies, from the cache when fresh.
func (s *Service) policiesFor(ctx context.Context, ca *caRow) (*caPolicies, error) {
	st := s.pstate()
	now := s.clk.Now()
	st.mu.RLock()
	p, gen := st.byCA[ca.ID], st.gen
	st.mu.RUnlock()
	if p != nil && now.Before(p.expires) {
		return p, nil
	}
	p, err := s.loadPolicies(ctx, ca)
	if err != nil {
		return nil, err
	}
	p.expires = now.Add(policyCacheTTL)
	st.mu.Lock()
	// An invalidation while we read means what we read may be stale.
	if st.gen == gen {
		if st.byCA == nil {
			st.byCA = make(map[string]*caPolicies)
		}
		st.byCA[ca.ID] = p
	}
	st.mu.Unlock()
	return p, nil
}

// loadPolicies reads and merges the CA's policy and permission statements.
func (s *Service) loadPolicies(ctx context.Context, ca *caRow) (*caPolicies, error) {
	doc, ok, err := s.getPolicy(ctx, ca.ID)
	if err != nil {
		return nil, &Error{Kind: ErrRequestFailed, Msg: "The certificate authority's policy could not be read; please retry.", Err: err}
	}
	perms, err := s.permissionStatements(ctx, ca)
	if err != nil {
		return nil, err
	}
	return mergePolicies(ca.ARN, doc, ok, perms)
}

// mergePolicies builds the attached documents. The stored document keeps
// its statement order (explanations index into it); permission statements
// follow.
func mergePolicies(caARN, doc string, hasDoc bool, perms []map[string]any) (*caPolicies, error) {
	out := &caPolicies{}
	if !hasDoc && len(perms) == 0 {
		return out, nil
	}
	version := "2012-10-17"
	var stmts []any
	if hasDoc {
		var top map[string]any
		if err := json.Unmarshal([]byte(doc), &top); err != nil {
			return nil, &Error{Kind: ErrRequestFailed, Msg: "The stored policy does not parse.", Err: err}
		}
		if v, ok := top["Version"].(string); ok {
			version = v
		}
		switch st := top["Statement"].(type) {
		case []any:
			stmts = st
		case map[string]any:
			stmts = []any{st}
		}
	}
	for _, p := range perms {
		stmts = append(stmts, p)
	}
	var denies []any
	for _, st := range stmts {
		if m, ok := st.(map[string]any); ok && m["Effect"] == "Deny" {
			denies = append(denies, st)
		}
	}
	if !hasDoc || len(perms) > 0 {
		doc = marshalJSON(map[string]any{"Version": version, "Statement": stmts})
	}
	out.full = &authz.Policy{Kind: authz.ResourcePolicy, Name: caARN, Document: doc}
	if len(denies) > 0 {
		out.denyOnly = &authz.Policy{Kind: authz.ResourcePolicy, Name: caARN,
			Document: marshalJSON(map[string]any{"Version": version, "Statement": denies})}
	}
	return out, nil
}
