// Package authz makes one authorization decision per request: it gathers the
// caller's identity policies, the resource policy, SCPs and the organization
// context, fills the global condition keys, applies AWS's evaluation logic
// (explicit deny first; same account: identity OR resource; cross account:
// identity AND resource) and explains every denial in AWS's words.
//
// CONTRACT (fixed; internal/iam and later services are written against it).
package authz

import (
	"context"
	"time"

	"github.com/openpca/openpca/internal/policy"
)

// PrincipalType is the value of aws:PrincipalType.
type PrincipalType string

const (
	TypeAccount     PrincipalType = "Account" // the account's root user
	TypeUser        PrincipalType = "User"
	TypeAssumedRole PrincipalType = "AssumedRole"
	TypeService     PrincipalType = "Service" // an AWS service principal (acm.amazonaws.com)
	TypeAnonymous   PrincipalType = "Anonymous"
)

// Principal is an authenticated caller.
type Principal struct {
	Type PrincipalType
	// AccountID is the caller's account; for a service principal, the
	// account the service acts for (aws:SourceAccount), if any.
	AccountID string
	// ARN is the caller's ARN as GetCallerIdentity and denial messages show it:
	// arn:aws:iam::A:root, arn:aws:iam::A:user/path/name,
	// arn:aws:sts::A:assumed-role/ROLE/SESSION.
	ARN string
	// PrincipalARN is aws:PrincipalArn: the role's IAM ARN (with path) for a
	// role session, ARN otherwise.
	PrincipalARN string
	// UserID is aws:userid: AIDA… for users, AROA…:SESSION for sessions, the
	// account ID for root.
	UserID string
	// EntityID is the user's or role's unique ID (AIDA…/AROA…), "" for root.
	EntityID    string
	UserName    string // users only (aws:username)
	RoleName    string // role sessions only
	SessionName string // role sessions only
	// ServiceName is the service principal's name, e.g. "acm.amazonaws.com".
	ServiceName string
	// ServiceLinked marks a session of a service-linked role. IAM sets it
	// from the role's stored attribute (only CreateServiceLinkedRole makes
	// one), never from the ARN: a role's path is chosen by its creator.
	ServiceLinked bool
	// TokenIssueTime is when temporary credentials were issued
	// (aws:TokenIssueTime); zero for long-term keys.
	TokenIssueTime time.Time
	// MFAAuthTime is when an MFA code was last verified for these
	// credentials (aws:MultiFactorAuthPresent, aws:MultiFactorAuthAge);
	// zero when none was.
	MFAAuthTime time.Time
	// SessionPolicy is the inline session policy JSON passed to AssumeRole, if any;
	// SessionPolicyARNs are managed policies passed as PolicyArns.
	SessionPolicy     string
	SessionPolicyARNs []string
	// Tags are the principal's tags (aws:PrincipalTag/*).
	Tags map[string]string
}

// Caller is a principal plus the facts of the request it sent.
type Caller struct {
	Principal
	AccessKeyID     string
	SourceIP        string
	SecureTransport bool
	// Region is the request's region, from its SigV4 credential scope
	// (aws:RequestedRegion); regional services place and look up resources
	// in it.
	Region string
}

// PolicyKind says which side of the evaluation a policy belongs to.
type PolicyKind int

const (
	IdentityPolicy PolicyKind = iota
	ResourcePolicy
	SessionPolicy
	PermissionsBoundary
	ServiceControlPolicy
	// TrustPolicy is a role's trust policy: the resource policy of
	// sts:AssumeRole. Unlike other resource policies it must allow even in
	// the role's own account.
	TrustPolicy
)

// Policy is one named document.
type Policy struct {
	Kind PolicyKind
	// Name identifies the policy in explanations: a managed policy's ARN, or
	// "user/NAME/inline/POLICY", "group/NAME/inline/POLICY",
	// "role/NAME/inline/POLICY", the resource's ARN for resource policies.
	Name     string
	Document string // JSON text
}

// IdentitySource supplies what the IAM store knows about a principal. It is
// implemented by internal/iam.
type IdentitySource interface {
	// IdentityPolicies returns the identity policies in force for p: a user's
	// inline and attached policies and those of its groups; a role session's
	// role inline and attached policies plus its session policies (Kind
	// SessionPolicy). Root and service principals have none.
	IdentityPolicies(ctx context.Context, p *Principal) ([]Policy, error)
}

// OrgContext is what the organization knows about an account.
type OrgContext struct {
	OrgID             string   // "" when the account is in no organization
	Paths             []string // aws:PrincipalOrgPaths values, e.g. "o-x/r-ab12/ou-ab12-11111111/"
	ManagementAccount string
	// SCPs are the service control policies that bound the account's
	// principals (empty when SCPs are not enabled or for the management account).
	// Used as one level when SCPLevels is empty.
	SCPs []Policy
	// SCPLevels are the SCPs attached at each level of the account's path:
	// the root, each OU from the root down, then the account itself. AWS
	// requires an Allow at every level; a Deny at any level denies. When set,
	// it replaces SCPs.
	SCPLevels [][]Policy
	// SCPsEnabled says SCPs are in force; with it, an SCP chain without an
	// Allow denies.
	SCPsEnabled bool
	// RCPLevels are the resource control policies attached at each level of
	// the account's path, like SCPLevels, when RCPs are enabled; they bound
	// requests on the account's resources (rcp.go).
	RCPLevels [][]Policy
}

// OrgSource supplies organization context; internal/org implements it.
// A nil OrgSource means no account is in an organization.
type OrgSource interface {
	OrgContext(ctx context.Context, accountID string) (OrgContext, error)
}

// Request asks whether Caller may perform Action on Resource.
type Request struct {
	Caller   *Caller
	Action   string // "acm-pca:IssueCertificate"
	Resource string // ARN, or "*" for actions without a resource
	// ResourceAccount owns the resource; "" means the caller's account.
	ResourceAccount string
	// ResourcePolicy is the resource's policy, if any (Kind ResourcePolicy).
	ResourcePolicy *Policy
	ResourceTags   map[string]string
	// Context carries service-specific and request keys
	// (acm-pca:TemplateArn, aws:RequestTag/k, aws:TagKeys, sts:ExternalId …).
	Context map[string][]string
}

// Reason classifies a decision.
type Reason int

const (
	AllowedByIdentity Reason = iota
	AllowedByResource
	AllowedByBoth
	AllowedAsRoot // account root, own account, no explicit deny
	DeniedNoIdentityAllow
	DeniedNoResourceAllow
	DeniedExplicitIdentity
	DeniedExplicitResource
	DeniedExplicitSCP
	DeniedNoSCPAllow
	DeniedExplicitSession  // explicit deny in a session policy
	DeniedNoSessionAllow   // session policy does not allow
	DeniedExplicitBoundary // explicit deny in a permissions boundary
	DeniedNoBoundaryAllow
)

// StatementMatch names a statement that decided or contributed.
type StatementMatch struct {
	Policy    string // Policy.Name
	Kind      PolicyKind
	Statement policy.StatementRef
}

// Decision is the answer with its explanation.
type Decision struct {
	Allowed bool
	Reason  Reason
	// Matched lists the statements that matched (allows and denies).
	Matched []StatementMatch
	// DecidingDeny is the explicit deny statement, when Reason is Denied*Explicit*.
	DecidingDeny *StatementMatch
	// ConditionMisses: statements that would have matched but for a condition.
	ConditionMisses []ConditionMissIn
	// MissingContextValues: keys conditions needed and the context lacked.
	MissingContextValues []string
	// Message is AWS's denial text ("User: ARN is not authorized to perform: …"),
	// empty when allowed.
	Message string
	// Unparsed lists stored policies that failed to parse and so contributed
	// nothing (added by the authz implementation; not part of the original
	// contract).
	Unparsed []UnparsedPolicy
}

// ConditionMissIn places a policy.ConditionMiss in its policy.
type ConditionMissIn struct {
	Policy string
	Kind   PolicyKind
	Miss   policy.ConditionMiss
}

// DeniedError is returned by Engine.Check for a denial; transports answer
// AccessDenied / AccessDeniedException with Message.
type DeniedError struct {
	Decision *Decision
}

func (e *DeniedError) Error() string { return e.Decision.Message }

// Evaluation is the pure evaluation's full input (used by Engine.Authorize
// and by IAM's SimulatePrincipalPolicy / SimulateCustomPolicy).
type Evaluation struct {
	Principal *Principal // nil: evaluate identity policies alone (SimulateCustomPolicy without CallerArn)
	Identity  []Policy   // identity policies (Kind IdentityPolicy)
	Session   []Policy   // session policies; nil when none
	Boundary  *Policy    // permissions boundary, if any
	SCPs      []Policy
	// SCPLevels, when non-empty, replaces SCPs: each level must allow.
	SCPLevels   [][]Policy
	SCPsEnabled bool
	Resource    *Policy // resource policy, if any
	// RCPLevels are the resource owner's RCPs by level; each level must allow.
	RCPLevels [][]Policy
	// ResourceAccount owns the resource ("" = principal's account).
	ResourceAccount string
	Action          string
	ResourceARN     string
	Context         *policy.Context // complete context, globals included
}

// Functions implemented in this package (signatures fixed):
//
//   func New(ids IdentitySource, orgs OrgSource, clk clock.Clock) *Engine
//   func (e *Engine) Authorize(ctx context.Context, req *Request) (*Decision, error)
//       // error only for store failures; a denial is a Decision with Allowed=false
//   func (e *Engine) Check(ctx context.Context, req *Request) error
//       // nil when allowed, *DeniedError when denied, other errors for failures
//   func (e *Engine) Context(ctx context.Context, req *Request) (*policy.Context, error)
//       // the full context (globals from the principal, org, clock, request)
//   func (e *Engine) Evaluate(ev *Evaluation) *Decision
//       // pure evaluation with the engine's document cache
//   func DenialMessage(p *Principal, action, resource string, r Reason) string
