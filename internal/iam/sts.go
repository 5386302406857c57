package iam

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/policy"
)

const (
	maxSessionPolicySize      = 2048
	chainedSessionSeconds     = 3600
	defaultGetSessionSeconds  = 43200
	rootGetSessionSeconds     = 3600
	expiredSessionGracePeriod = 24 * time.Hour
)

// Credentials are temporary credentials.
type Credentials struct {
	AccessKeyId     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

// AssumedRoleUser names a role session.
type AssumedRoleUser struct {
	AssumedRoleId string
	Arn           string
}

type GetCallerIdentityInput struct{}

type GetCallerIdentityOutput struct {
	UserId  string
	Account string
	Arn     string
}

// GetCallerIdentity needs no permission: it tells the caller who it is.
func (s *Service) GetCallerIdentity(ctx context.Context, c *authz.Caller, _ *GetCallerIdentityInput) (*GetCallerIdentityOutput, error) {
	if c == nil {
		return nil, errorf(AccessDenied, "Request is not authenticated.")
	}
	return &GetCallerIdentityOutput{UserId: c.UserID, Account: c.AccountID, Arn: c.ARN}, nil
}

// PolicyDescriptorType names a managed session policy.
type PolicyDescriptorType struct {
	Arn string `wire:"arn" min:"20" max:"2048"`
}

type AssumeRoleInput struct {
	RoleArn         string                 `required:"true" min:"20" max:"2048"`
	RoleSessionName string                 `required:"true" min:"2" max:"64" pattern:"[\\w+=,.@-]*"`
	PolicyArns      []PolicyDescriptorType `max:"10"`
	Policy          string                 `min:"1" max:"2048" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
	DurationSeconds *int                   `min:"900" max:"43200"`
	ExternalId      string                 `min:"2" max:"1224" pattern:"[\\w+=,.@:\\/-]*"`
	SerialNumber    string                 `min:"9" max:"256" pattern:"[\\w+=/:,.@-]*"`
	TokenCode       string                 `min:"6" max:"6" pattern:"[\\d]*"`
	SourceIdentity  string                 `min:"2" max:"64" pattern:"[\\w+=,.@-]*"`
}

type AssumeRoleOutput struct {
	Credentials      Credentials
	AssumedRoleUser  AssumedRoleUser
	PackedPolicySize *int
	SourceIdentity   string
}

func denied(p *authz.Principal, action, resource string, r authz.Reason) error {
	return &authz.DeniedError{Decision: &authz.Decision{Reason: r, Message: authz.DenialMessage(p, action, resource, r)}}
}

// AssumeRole issues credentials for a session of the role. The role's trust
// policy must allow the caller; when it allows the caller only through its
// account (or "*"), the caller's identity policies must allow
// sts:AssumeRole too, as in AWS.
func (s *Service) AssumeRole(ctx context.Context, c *authz.Caller, in *AssumeRoleInput) (*AssumeRoleOutput, error) {
	if c == nil {
		return nil, errorf(AccessDenied, "Request is not authenticated.")
	}
	const action = "sts:AssumeRole"
	if c.Type == authz.TypeAccount {
		return nil, errorf(AccessDenied, "Roles may not be assumed by root accounts.")
	}
	pa, ok := parseIAMARN(in.RoleArn)
	if !ok || pa.Service != "iam" || pa.Kind != "role" {
		return nil, errorf(ValidationError, "%s is invalid", in.RoleArn)
	}
	role, err := s.st.getRole(ctx, s.st.db, pa.Account, pa.Name)
	if err != nil {
		return nil, err
	}
	if role == nil || role.Path != pa.Path || role.Name != pa.Name {
		// AWS does not reveal whether the role exists.
		return nil, denied(&c.Principal, action, in.RoleArn, authz.DeniedNoResourceAllow)
	}
	roleARN := s.arn.role(role.AccountID, role.Path, role.Name)
	duration := defaultSessionSeconds
	if in.DurationSeconds != nil {
		duration = *in.DurationSeconds
	}
	if duration > role.MaxSessionDuration {
		return nil, errorf(ValidationError, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	if c.Type == authz.TypeAssumedRole && duration > chainedSessionSeconds {
		return nil, errorf(ValidationError, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	var policyARNs []string
	for _, d := range in.PolicyArns {
		policyARNs = append(policyARNs, d.Arn)
	}
	packed, err := s.checkSessionPolicies(ctx, role.AccountID, in.Policy, policyARNs)
	if err != nil {
		return nil, err
	}

	mfaAt, err := s.verifyMFA(ctx, c, in.SerialNumber, in.TokenCode)
	if err != nil {
		return nil, err
	}
	if mfaAt.IsZero() {
		// A chained session keeps the MFA of the credentials it came from.
		mfaAt = c.MFAAuthTime
	} else {
		// The trust policy sees the MFA verified by this very call.
		cc := *c
		cc.MFAAuthTime = mfaAt
		c = &cc
	}

	extra := map[string][]string{"sts:RoleSessionName": {in.RoleSessionName}}
	if in.ExternalId != "" {
		extra["sts:ExternalId"] = []string{in.ExternalId}
	}
	if in.SourceIdentity != "" {
		extra["sts:SourceIdentity"] = []string{in.SourceIdentity}
	}
	// authz requires the trust policy to allow, and the caller's identity
	// policies too unless the trust names the caller itself.
	req := &authz.Request{
		Caller: c, Action: action, Resource: roleARN, ResourceAccount: role.AccountID, Context: extra,
		ResourcePolicy: &authz.Policy{Kind: authz.TrustPolicy, Name: roleARN, Document: role.TrustPolicy},
	}
	if err := s.authz.Check(ctx, req); err != nil {
		return nil, err
	}

	sessionARN := s.arn.session(role.AccountID, role.Name, in.RoleSessionName)
	creds, err := s.issueSession(ctx, &sessionRow{
		AccountID: role.AccountID, RoleID: role.ID, SessionName: in.RoleSessionName,
		SessionPolicy: in.Policy, SessionPolicyARNs: policyARNs, MFAAt: mfaAt,
	}, time.Duration(duration)*time.Second)
	if err != nil {
		return nil, err
	}
	out := &AssumeRoleOutput{
		Credentials:     *creds,
		AssumedRoleUser: AssumedRoleUser{AssumedRoleId: role.ID + ":" + in.RoleSessionName, Arn: sessionARN},
		SourceIdentity:  in.SourceIdentity,
	}
	if in.Policy != "" || len(policyARNs) > 0 {
		out.PackedPolicySize = &packed
	}
	return out, nil
}

// checkSessionPolicies validates the inline session policy and the managed
// ones, returning the packed size as a percentage of the allowance.
func (s *Service) checkSessionPolicies(ctx context.Context, acct, inline string, arns []string) (int, error) {
	size := 0
	if inline != "" {
		if err := s.validateDocument(inline, policy.Identity); err != nil {
			return 0, err
		}
		size += compactLen(inline)
	}
	for _, arn := range arns {
		if _, ok, err := s.st.managedDocument(ctx, s.st.db, arn); err != nil {
			return 0, err
		} else if !ok {
			return 0, errorf(MalformedPolicyDocument, "Policy %s does not exist or is not attachable.", arn)
		}
		size += len(arn)
	}
	packed := (size*100 + maxSessionPolicySize - 1) / maxSessionPolicySize
	if packed > 100 {
		return 0, errorf(PackedPolicyTooLarge, "Packed policy consumes %d%% of allotted space, please use smaller policy.", packed)
	}
	return packed, nil
}

// issueSession stores new temporary credentials for r and returns them. The
// secret and token are sealed; the token's SHA-256 is kept for auditing.
func (s *Service) issueSession(ctx context.Context, r *sessionRow, d time.Duration) (*Credentials, error) {
	now := s.clk.Now()
	r.ID = newAccessKeyID(prefixSession)
	secret, token := newSecret(), newSessionToken()
	plain, err := json.Marshal(sessionSecrets{Secret: secret, Token: token})
	if err != nil {
		return nil, err
	}
	if r.Sealed, err = s.st.sealSecret(r.ID, plain); err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(token))
	r.TokenHash = hex.EncodeToString(sum[:])
	r.CreatedAt = now
	r.ExpiresAt = now.Add(d).Truncate(time.Second)
	// A new session changes no cached answer (unknown keys are not cached)
	// and purged ones are long expired: no credential-cache bump, so
	// AssumeRole traffic keeps the cache warm.
	err = s.st.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.st.purgeSessions(ctx, tx, now.Add(-expiredSessionGracePeriod)); err != nil {
			return err
		}
		return s.st.insertSession(ctx, tx, r)
	})
	if err != nil {
		return nil, err
	}
	return &Credentials{AccessKeyId: r.ID, SecretAccessKey: secret, SessionToken: token, Expiration: r.ExpiresAt}, nil
}

type GetSessionTokenInput struct {
	DurationSeconds *int   `min:"900" max:"129600"`
	SerialNumber    string `min:"9" max:"256" pattern:"[\\w+=/:,.@-]*"`
	TokenCode       string `min:"6" max:"6" pattern:"[\\d]*"`
}

type GetSessionTokenOutput struct {
	Credentials Credentials
}

// GetSessionToken issues temporary credentials acting as the calling user
// or root (at most one hour for the root).
func (s *Service) GetSessionToken(ctx context.Context, c *authz.Caller, in *GetSessionTokenInput) (*GetSessionTokenOutput, error) {
	if c == nil {
		return nil, errorf(AccessDenied, "Request is not authenticated.")
	}
	duration := defaultGetSessionSeconds
	if in.DurationSeconds != nil {
		duration = *in.DurationSeconds
	}
	if strings.HasPrefix(c.AccessKeyID, prefixSession) {
		return nil, errorf(AccessDenied, "Cannot call GetSessionToken with session credentials")
	}
	mfaAt, err := s.verifyMFA(ctx, c, in.SerialNumber, in.TokenCode)
	if err != nil {
		return nil, err
	}
	r := &sessionRow{AccountID: c.AccountID, MFAAt: mfaAt}
	switch c.Type {
	case authz.TypeAccount:
		duration = min(duration, rootGetSessionSeconds)
	case authz.TypeUser:
		r.UserID = c.EntityID
	default:
		return nil, errorf(AccessDenied, "Cannot call GetSessionToken with session credentials")
	}
	creds, err := s.issueSession(ctx, r, time.Duration(duration)*time.Second)
	if err != nil {
		return nil, err
	}
	return &GetSessionTokenOutput{Credentials: *creds}, nil
}
