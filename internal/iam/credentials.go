package iam

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/authz"
)

const (
	statusActive   = "Active"
	statusInactive = "Inactive"
)

// ResolvedKey is what an access key signs as.
type ResolvedKey struct {
	AccessKeyID     string
	SecretAccessKey string
	// SessionToken is set for temporary (ASIA…) credentials.
	SessionToken string
	// Expiration is zero for long-term keys; callers reject requests signed
	// with expired session credentials (ExpiredToken).
	Expiration time.Time
	Principal  authz.Principal
	// GetSessionToken marks credentials from GetSessionToken (a user's or
	// the root's session): unless MFA-authenticated, AWS refuses them for
	// every IAM operation and for STS operations other than AssumeRole and
	// GetCallerIdentity.
	GetSessionToken bool
}

// LookupCredential resolves an access key. It returns (nil, nil) for keys
// that do not exist, are Inactive, or whose user or role is gone. Answers
// are cached (credcache.go); every write that could change one drops the
// cache, so deactivation takes effect at once on this server.
func (s *Store) LookupCredential(ctx context.Context, accessKeyID string) (*ResolvedKey, error) {
	now := s.clk.Now()
	k, g := s.creds.get(accessKeyID, now)
	if k != nil {
		return k, nil
	}
	k, err := s.resolveCredential(ctx, accessKeyID)
	if err == nil && k != nil {
		s.creds.put(accessKeyID, k, g, now)
	}
	return k, err
}

func (s *Store) resolveCredential(ctx context.Context, accessKeyID string) (*ResolvedKey, error) {
	if strings.HasPrefix(accessKeyID, prefixSession) {
		return s.lookupSession(ctx, accessKeyID)
	}
	k, err := s.getAccessKey(ctx, s.db, accessKeyID)
	if err != nil || k == nil || k.Status != statusActive {
		return nil, err
	}
	secret, err := s.sealer.Open(k.Sealed, []byte(k.ID))
	if err != nil {
		return nil, fmt.Errorf("unseal access key %s: %w", k.ID, err)
	}
	p, err := s.basePrincipal(ctx, k.AccountID, k.UserID)
	if err != nil || p == nil {
		return nil, err
	}
	return &ResolvedKey{AccessKeyID: k.ID, SecretAccessKey: string(secret), Principal: *p}, nil
}

func (s *Store) lookupSession(ctx context.Context, id string) (*ResolvedKey, error) {
	r, err := s.getSession(ctx, s.db, id)
	if err != nil || r == nil {
		return nil, err
	}
	plain, err := s.sealer.Open(r.Sealed, []byte(r.ID))
	if err != nil {
		return nil, fmt.Errorf("unseal session %s: %w", r.ID, err)
	}
	var sec sessionSecrets
	if err := json.Unmarshal(plain, &sec); err != nil {
		return nil, fmt.Errorf("session %s: %w", r.ID, err)
	}
	var p *authz.Principal
	if r.RoleID != "" {
		role, err := s.getRoleByID(ctx, s.db, r.RoleID)
		if err != nil || role == nil {
			return nil, err
		}
		tags, err := s.tags(ctx, s.db, role.ID)
		if err != nil {
			return nil, err
		}
		p = s.rolePrincipal(role, r.SessionName, tags)
		p.SessionPolicy = r.SessionPolicy
		p.SessionPolicyARNs = r.SessionPolicyARNs
	} else {
		p, err = s.basePrincipal(ctx, r.AccountID, r.UserID)
		if err != nil || p == nil {
			return nil, err
		}
	}
	p.TokenIssueTime, p.MFAAuthTime = r.CreatedAt, r.MFAAt
	return &ResolvedKey{
		AccessKeyID: r.ID, SecretAccessKey: sec.Secret, SessionToken: sec.Token, Expiration: r.ExpiresAt, Principal: *p,
		GetSessionToken: r.RoleID == "",
	}, nil
}

// basePrincipal is the root (userID "") or the user, nil when gone.
func (s *Store) basePrincipal(ctx context.Context, acct, userID string) (*authz.Principal, error) {
	if userID == "" {
		ok, err := s.accountExists(ctx, s.db, acct)
		if err != nil || !ok {
			return nil, err
		}
		return s.rootPrincipal(acct), nil
	}
	u, err := s.getEntityByID(ctx, s.db, "user", userID)
	if err != nil || u == nil {
		return nil, err
	}
	tags, err := s.tags(ctx, s.db, u.ID)
	if err != nil {
		return nil, err
	}
	return s.userPrincipal(u, tags), nil
}

func (s *Store) rootPrincipal(acct string) *authz.Principal {
	arn := s.arn.root(acct)
	return &authz.Principal{Type: authz.TypeAccount, AccountID: acct, ARN: arn, PrincipalARN: arn, UserID: acct}
}

func (s *Store) userPrincipal(u *entity, tags []Tag) *authz.Principal {
	arn := s.arn.user(u.AccountID, u.Path, u.Name)
	return &authz.Principal{
		Type: authz.TypeUser, AccountID: u.AccountID, ARN: arn, PrincipalARN: arn,
		UserID: u.ID, EntityID: u.ID, UserName: u.Name, Tags: tagMap(tags),
	}
}

func (s *Store) rolePrincipal(r *roleRow, session string, tags []Tag) *authz.Principal {
	return &authz.Principal{
		Type: authz.TypeAssumedRole, AccountID: r.AccountID,
		ARN:          s.arn.session(r.AccountID, r.Name, session),
		PrincipalARN: s.arn.role(r.AccountID, r.Path, r.Name),
		UserID:       r.ID + ":" + session, EntityID: r.ID,
		RoleName: r.Name, SessionName: session, Tags: tagMap(tags),
		ServiceLinked: r.ServiceName != "",
	}
}

// RoleSessionPrincipal returns the principal of a session of the role with
// the given ARN, for services that act through a role without credentials
// (ACM through its service-linked role). nil when the role does not exist.
func (s *Store) RoleSessionPrincipal(ctx context.Context, roleARN, sessionName string) (*authz.Principal, error) {
	pa, ok := parseIAMARN(roleARN)
	if !ok || pa.Kind != "role" {
		return nil, nil
	}
	r, err := s.getRole(ctx, s.db, pa.Account, pa.Name)
	if err != nil || r == nil || r.Path != pa.Path {
		return nil, err
	}
	tags, err := s.tags(ctx, s.db, r.ID)
	if err != nil {
		return nil, err
	}
	return s.rolePrincipal(r, sessionName, tags), nil
}

// grantsNothing is a valid identity policy whose only statement matches no action.
const grantsNothing = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"*","Resource":"*"}]}`

// IdentityPolicies implements authz.IdentitySource.
func (s *Store) IdentityPolicies(ctx context.Context, p *authz.Principal) ([]authz.Policy, error) {
	switch p.Type {
	case authz.TypeUser:
		u, err := s.getEntityByID(ctx, s.db, "user", p.EntityID)
		if err != nil || u == nil {
			return nil, err
		}
		out, err := s.userPolicies(ctx, querier(s.db), u)
		if err != nil {
			return nil, err
		}
		arn, err := s.boundaryOf(ctx, s.db, "user", u.ID)
		if err != nil {
			return nil, err
		}
		return withBoundary(ctx, s, out, arn)
	case authz.TypeAssumedRole:
		r, err := s.getRoleByID(ctx, s.db, p.EntityID)
		if err != nil || r == nil {
			return nil, err
		}
		out, err := s.entityPolicies(ctx, s.db, "role", r.ID, r.Name)
		if err != nil {
			return nil, err
		}
		if out, err = withBoundary(ctx, s, out, r.Boundary); err != nil {
			return nil, err
		}
		// The inline session policy (p.SessionPolicy) is added by authz itself.
		for _, arn := range p.SessionPolicyARNs {
			doc, ok, err := s.managedDocument(ctx, s.db, arn)
			if err != nil {
				return nil, err
			}
			if !ok {
				// A session policy that no longer exists must still limit the
				// session: it grants nothing.
				doc = grantsNothing
			}
			out = append(out, authz.Policy{Kind: authz.SessionPolicy, Name: arn, Document: doc})
		}
		return out, nil
	}
	return nil, nil
}

// withBoundary appends the permissions boundary named arn, if any.
func withBoundary(ctx context.Context, s *Store, pols []authz.Policy, arn string) ([]authz.Policy, error) {
	b, err := s.boundaryPolicy(ctx, s.db, arn)
	if err != nil || b == nil {
		return pols, err
	}
	return append(pols, *b), nil
}

// userPolicies are the user's own policies and those of its groups.
func (s *Store) userPolicies(ctx context.Context, q querier, u *entity) ([]authz.Policy, error) {
	out, err := s.entityPolicies(ctx, q, "user", u.ID, u.Name)
	if err != nil {
		return nil, err
	}
	groups, err := s.groupsOfUser(ctx, q, u.ID)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, p := range out {
		seen[p.Name] = true
	}
	for _, g := range groups {
		gp, err := s.entityPolicies(ctx, q, "group", g.ID, g.Name)
		if err != nil {
			return nil, err
		}
		for _, p := range gp {
			// a managed policy attached both to the user and a group counts once
			if !seen[p.Name] {
				seen[p.Name] = true
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// entityPolicies are an entity's inline and attached managed policies.
func (s *Store) entityPolicies(ctx context.Context, q querier, kind, id, name string) ([]authz.Policy, error) {
	inline, err := s.listInline(ctx, q, id)
	if err != nil {
		return nil, err
	}
	var out []authz.Policy
	for _, ip := range inline {
		out = append(out, authz.Policy{Kind: authz.IdentityPolicy, Name: kind + "/" + name + "/inline/" + ip.Name, Document: ip.Document})
	}
	attached, err := s.attachedPolicies(ctx, q, id)
	if err != nil {
		return nil, err
	}
	for _, arn := range attached {
		doc, ok, err := s.managedDocument(ctx, q, arn)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, authz.Policy{Kind: authz.IdentityPolicy, Name: arn, Document: doc})
		}
	}
	return out, nil
}

// managedDocument returns the default version's document of a managed policy.
func (s *Store) managedDocument(ctx context.Context, q querier, arn string) (string, bool, error) {
	if m := s.managed.get(arn); m != nil {
		return m.Document, true, nil
	}
	p, err := s.getPolicyByARN(ctx, q, arn)
	if err != nil || p == nil {
		return "", false, err
	}
	v, err := s.getVersion(ctx, q, p.ID, p.DefaultVersion)
	if err != nil || v == nil {
		return "", false, err
	}
	return v.Document, true, nil
}

// PrincipalByARN returns the principal an ARN names, as a request signed by
// it would carry: the root (arn:…:root), a user, a role session
// (arn:aws:sts::A:assumed-role/ROLE/SESSION), or, for a bare role ARN, a
// session of that role named after the role. Used to explain decisions
// without credentials.
func (s *Store) PrincipalByARN(ctx context.Context, arn string) (*authz.Principal, error) {
	pa, ok := parseIAMARN(arn)
	if !ok {
		return nil, errorf(InvalidInput, "%s is not a valid IAM or STS principal ARN.", arn)
	}
	switch {
	case pa.Kind == "root":
		ok, err := s.accountExists(ctx, s.db, pa.Account)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errorf(NoSuchEntity, "The account %s cannot be found.", pa.Account)
		}
		return s.rootPrincipal(pa.Account), nil
	case pa.Service == "iam" && pa.Kind == "user":
		u, err := s.getEntity(ctx, s.db, "user", pa.Account, pa.Name)
		if err != nil {
			return nil, err
		}
		if u == nil || u.Path != pa.Path {
			return nil, errorf(NoSuchEntity, "The user with name %s cannot be found.", pa.Name)
		}
		return s.basePrincipal(ctx, pa.Account, u.ID)
	case pa.Service == "iam" && pa.Kind == "role":
		p, err := s.RoleSessionPrincipal(ctx, arn, pa.Name)
		if err == nil && p == nil {
			err = errorf(NoSuchEntity, "The role with name %s cannot be found.", pa.Name)
		}
		return p, err
	case pa.Service == "sts" && pa.Kind == "assumed-role":
		role, session, ok := strings.Cut(pa.Name, "/")
		if !ok || role == "" || session == "" {
			return nil, errorf(InvalidInput, "%s is not a valid assumed-role ARN.", arn)
		}
		r, err := s.getRole(ctx, s.db, pa.Account, role)
		if err != nil {
			return nil, err
		}
		if r == nil {
			return nil, errorf(NoSuchEntity, "The role with name %s cannot be found.", role)
		}
		return s.RoleSessionPrincipal(ctx, s.arn.role(r.AccountID, r.Path, r.Name), session)
	}
	return nil, errorf(InvalidInput, "%s does not name a user, role, role session or account.", arn)
}
