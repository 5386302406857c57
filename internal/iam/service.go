// Package iam is OpenPCA's identity service: accounts, IAM users, groups,
// roles (service-linked included), access keys, managed and inline policies,
// session credentials, and the iam and sts operations. Every operation is
// authorized through the authz engine; the wire binding lives in
// internal/awsapi/iamapi.
package iam

import (
	"context"
	"sort"
	"strings"
	"unicode"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/policy"
)

// Authorizer is what the service needs from *authz.Engine.
type Authorizer interface {
	Check(ctx context.Context, req *authz.Request) error
	Context(ctx context.Context, req *authz.Request) (*policy.Context, error)
	Evaluate(ev *authz.Evaluation) *authz.Decision
}

// Service implements the iam and sts operations.
type Service struct {
	st     *Store
	authz  Authorizer
	clk    clock.Clock
	arn    arns
	parser *policy.Cache

	// beforeAttachTx, when set (by tests), runs between an attach's checks
	// and its transaction, where a concurrent change may land.
	beforeAttachTx func()
}

// New builds the service on st; engine is normally authz.New(st, orgs, clk).
func New(st *Store, engine Authorizer) *Service {
	return &Service{st: st, authz: engine, clk: st.clk, arn: st.arn, parser: policy.NewCache(1024)}
}

// Store returns the service's store (credential lookup, identity source).
func (s *Service) Store() *Store { return s.st }

// authorize checks action on resource in the caller's own account. Every
// IAM operation passes here, so this is where GetSessionToken credentials
// are refused for them.
func (s *Service) authorize(ctx context.Context, c *authz.Caller, action, resource string, extra map[string][]string) error {
	if c == nil {
		return errorf(AccessDenied, "Request is not authenticated.")
	}
	if strings.HasPrefix(action, "iam:") && fromGetSessionToken(c) {
		return errorf(InvalidClientTokenId, "The security token included in the request is invalid")
	}
	return s.authz.Check(ctx, &authz.Request{
		Caller: c, Action: action, Resource: resource, ResourceAccount: c.AccountID, Context: extra,
	})
}

// fromGetSessionToken reports whether c signs with GetSessionToken
// credentials obtained without MFA (AWS lets MFA-authenticated ones call
// IAM): session keys (ASIA…) resolve
// to a user or the root only when GetSessionToken issued them; AssumeRole's
// resolve to a role session.
func fromGetSessionToken(c *authz.Caller) bool {
	return strings.HasPrefix(c.AccessKeyID, prefixSession) && (c.Type == authz.TypeUser || c.Type == authz.TypeAccount) &&
		c.MFAAuthTime.IsZero()
}

// validateDocument parses doc as kind; a failure is MalformedPolicyDocument.
func (s *Service) validateDocument(doc string, kind policy.Kind) error {
	if _, err := s.parser.Parse([]byte(doc), kind); err != nil {
		return &Error{Kind: MalformedPolicyDocument, Message: err.Error()}
	}
	return nil
}

// compactLen is a document's length without whitespace, the measure IAM's
// policy size quotas use.
func compactLen(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

const defaultMaxItems = 100

// paginate returns the page of items (sorted by key) after marker, which
// must have been issued for scope.
func paginate[T any](items []T, key func(T) string, scope pageScope, marker string, maxItems *int) ([]T, string, bool, error) {
	start := 0
	if marker != "" {
		after, ok := openMarker(scope, marker)
		if !ok {
			return nil, "", false, errorf(InvalidInput, "Invalid Marker.")
		}
		for start < len(items) && key(items[start]) <= after {
			start++
		}
	}
	n := defaultMaxItems
	if maxItems != nil {
		n = *maxItems
	}
	end := min(start+n, len(items))
	page := items[start:end]
	if end < len(items) && len(page) > 0 {
		return page, sealMarker(scope, key(page[len(page)-1])), true, nil
	}
	return page, "", false, nil
}

// paginateAs is paginate with each item of the page shaped by shape; the
// page is never nil.
func paginateAs[T, S any](items []T, key func(T) string, shape func(T) S, scope pageScope, marker string, maxItems *int) ([]S, string, bool, error) {
	page, next, trunc, err := paginate(items, key, scope, marker, maxItems)
	if err != nil {
		return nil, "", false, err
	}
	out := make([]S, 0, len(page))
	for _, it := range page {
		out = append(out, shape(it))
	}
	return out, next, trunc, nil
}

// entityKey orders users and groups by name as IAM lists them.
func entityKey(e *entity) string { return lowerKey(e.Name) }

// normPath defaults an empty path to "/".
func normPath(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// lowerKey orders entities by name as IAM lists them.
func lowerKey(name string) string { return strings.ToLower(name) }

// sortBy sorts items by key.
func sortBy[T any](items []T, key func(T) string) {
	sort.SliceStable(items, func(i, j int) bool { return key(items[i]) < key(items[j]) })
}
