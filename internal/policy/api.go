// Package policy is the IAM policy language: parsing and validating policy
// documents, and evaluating one document against one request. It is pure: no
// I/O, no knowledge of accounts or stores. internal/authz combines documents
// into a decision.
//
// CONTRACT (fixed; internal/authz and internal/iam are written against it).
// The helper implementing this package may add to it but not change these
// signatures without telling the lead.
package policy

// Kind says where a document is used; validation differs by kind.
type Kind int

const (
	// Identity policies (user, group, role inline or managed, session
	// policies, permissions boundaries) must not have Principal/NotPrincipal.
	Identity Kind = iota
	// Resource policies (CA policies) must have Principal or NotPrincipal.
	Resource
	// Trust policies (role AssumeRolePolicyDocument) are resource policies on
	// a role: Principal required; actions sts:*.
	Trust
	// SCP is a service control policy: no Principal; Allow statements may not
	// have conditions or NotAction.
	SCP
)

// Effect is a statement's or an evaluation's effect.
type Effect int

const (
	// NoMatch: no statement applied (an implicit deny).
	NoMatch Effect = iota
	Allow
	Deny
)

func (e Effect) String() string {
	switch e {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "NoMatch"
}

// Principal describes the caller for Principal/NotPrincipal matching in
// resource and trust policies. Ignored for documents with no Principal element.
type Principal struct {
	// Anonymous is an unsigned caller; only "*" matches it.
	Anonymous bool
	// Account is the caller's 12-digit account; an "AWS" entry naming the
	// account ID or arn:aws:iam::ACCOUNT:root matches every principal in it
	// (but not service principals).
	Account string
	// ARNs are the ARNs that name this caller: a user's ARN; the root ARN; for
	// a role session both the sts assumed-role session ARN and the role's IAM
	// ARN (with path); and the user's or role's unique ID (see IsUniqueID).
	ARNs []string
	// Service is set for a service principal ("acm.amazonaws.com"); it matches
	// only "Service" entries naming it (not "*", not accounts).
	Service string
	// Federated identity provider, if any.
	Federated string
}

// Request is one evaluation's input.
type Request struct {
	Principal *Principal // nil for identity-policy-only evaluation
	Action    string     // "service:Operation"
	Resource  string     // ARN or "*"
	Context   *Context   // request context keys; may be nil (empty)
}

// StatementRef names a statement for explanations.
type StatementRef struct {
	Index  int    // 0-based position in the document
	Sid    string // may be empty or repeated
	Effect Effect
}

// ConditionMiss records a condition that prevented an otherwise matching
// statement from applying: the operator (as written, e.g.
// "ForAnyValue:StringLike") and the context key (as written in the policy).
type ConditionMiss struct {
	Statement StatementRef
	Operator  string
	Key       string
	// Missing is true when the key had no value in the context.
	Missing bool
}

// Result of evaluating one document against one request.
type Result struct {
	// Effect is Deny if any matching statement denies, else Allow if any
	// matching statement allows, else NoMatch.
	Effect Effect
	// Matched lists every statement whose principal, action, resource and
	// conditions all matched, in document order.
	Matched []StatementRef
	// ConditionMisses lists statements that matched principal, action and
	// resource but whose condition block failed (first failing condition only).
	ConditionMisses []ConditionMiss
	// MissingKeys lists context keys (as written in the policy) that conditions
	// referred to and the context did not have, without duplicates.
	MissingKeys []string
}

// Document is a parsed, validated and compiled policy. Safe for concurrent
// Evaluate calls.
type Document struct {
	Version    string
	ID         string
	Statements []Statement
	kind       Kind
	compiled   any // implementation-defined matcher
}

// Statement is one parsed statement. Values keep their original spelling;
// "string or array" inputs are normalized to slices.
type Statement struct {
	Sid          string
	Effect       Effect
	Principal    *PrincipalSet // nil when absent
	NotPrincipal *PrincipalSet
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	Condition    []Condition // in document order
	// HasAction etc. distinguish an absent element from an empty list.
	HasAction, HasNotAction, HasResource, HasNotResource bool
}

// PrincipalSet is a Principal/NotPrincipal element.
type PrincipalSet struct {
	Wildcard      bool     // "*" (also {"AWS":"*"})
	AWS           []string // account IDs and ARNs as written
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// Condition is one operator/key pair with its values.
type Condition struct {
	Operator string // as written, e.g. "ForAnyValue:StringLike"
	Key      string // as written
	Values   []string
}

// ParseError says what is wrong with a document and where. Its Error() text
// is suitable for MalformedPolicyDocument / InvalidPolicyException messages,
// e.g. `Statement[1] (Sid "AllowIssue"): Effect must be "Allow" or "Deny"`.
type ParseError struct {
	Statement int    // -1 when the problem is document-level
	Sid       string // the statement's Sid when it has one
	Field     string // e.g. "Effect", "Condition.StringEquals"
	Msg       string
}

// Parse validates a JSON policy document for the given kind and compiles it.
// It accepts Statement as object or array, string-or-array values, Version
// "2012-10-17" or "2008-10-17" (policy variables are literal text under the
// latter), duplicate Sids. Errors are *ParseError.
//   func Parse(data []byte, kind Kind) (*Document, error)
//
// (d *Document) Evaluate(req *Request) Result evaluates the document.
// (d *Document) MarshalJSON() ([]byte, error) renders the parsed document so
// that Parse(Marshal(Parse(x))) equals Parse(x).
//
// Cache parses each distinct (kind, document text) once, by SHA-256:
//   func NewCache(max int) *Cache
//   func (c *Cache) Parse(data []byte, kind Kind) (*Document, error)
//
// Context holds request context keys; names are case-insensitive; every key
// is multivalued (a single value is a one-element slice):
//   func NewContext() *Context
//   func (c *Context) Set(key string, values ...string)
//   func (c *Context) Get(key string) ([]string, bool)
//   func (c *Context) Keys() []string
