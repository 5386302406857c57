// Package ram is the Resource Access Manager domain service: resource
// shares of private CAs, their resource and principal associations,
// invitations, the AWS managed permissions for acm-pca:CertificateAuthority,
// and the CA policy RAM derives from all of them and writes through pca in
// the same transaction as the share change (reference §3.3, §5).
package ram

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/iam"
	"github.com/openpca/openpca/internal/org"
	"github.com/openpca/openpca/internal/pagetoken"
	"github.com/openpca/openpca/internal/regions"
	"github.com/openpca/openpca/internal/store"
)

// InvitationTTL is how long a CA-share invitation waits for an answer
// (RAM guide: 12 hours for types not on the 7-day list).
const InvitationTTL = 12 * time.Hour

// MaxPendingInvitations is RAM's quota of pending invitations per sharing
// account (§5.5).
const MaxPendingInvitations = 20

// CAs is what RAM needs from pca.
type CAs interface {
	// CAOwner returns the account owning the CA, ok false when there is
	// no such CA (deleted ones included).
	CAOwner(ctx context.Context, caARN string) (owner string, ok bool, err error)
	// SetSharedPolicy writes (doc != "") or removes the CA's policy in tx.
	SetSharedPolicy(ctx context.Context, tx *sql.Tx, caARN, doc string) error
	// StoredPolicy returns the CA's policy as GetPolicy shows it.
	StoredPolicy(ctx context.Context, caARN string) (doc string, ok bool, err error)
	// ShowPolicy shows a policy in stored form as GetPolicy would.
	ShowPolicy(ctx context.Context, doc string) (string, error)
	// PrincipalIDs maps IAM user and role ARNs to the unique IDs of the
	// entities they name now (absent: no such entity).
	PrincipalIDs(ctx context.Context, arns []string) (map[string]string, error)
	// PolicyChanged drops cached copies after the transaction committed.
	PolicyChanged(caARN string)
}

// Orgs is what RAM reads from Organizations.
type Orgs interface {
	Membership(ctx context.Context, accountID string) (*org.Membership, error)
	ServiceAccessEnabled(ctx context.Context, orgID, principal string) (bool, error)
	UnitExists(ctx context.Context, orgID, id string) (bool, error)
}

// OrgAdmin performs EnableSharingWithAwsOrganization's effects with the
// caller's own authority.
type OrgAdmin interface {
	EnableAWSServiceAccess(ctx context.Context, c *authz.Caller, in *org.ServicePrincipalInput) (*org.Empty, error)
}

// SLRs creates service-linked roles with the caller's authority.
type SLRs interface {
	CreateServiceLinkedRole(ctx context.Context, c *authz.Caller, in *iam.CreateServiceLinkedRoleInput) (*iam.RoleOutput, error)
}

// Deps are the services RAM talks to.
type Deps struct {
	DB       *store.DB
	Engine   *authz.Engine
	Clock    clock.Clock
	CAs      CAs
	Orgs     Orgs
	OrgAdmin OrgAdmin
	SLRs     SLRs
	Logger   *slog.Logger
}

// Service implements the ram operations.
type Service struct {
	d        Deps
	pages    *pagetoken.Sealer
	stop     chan struct{}
	stopOnce sync.Once
}

// New builds the service.
func New(d Deps) *Service {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	// Page tokens stay valid on every server of the database.
	key, err := d.DB.SharedKey(context.Background(), "ram_page_token_key")
	if err != nil {
		panic("ram: page token key: " + err.Error())
	}
	return &Service{d: d, pages: pagetoken.WithKey(key), stop: make(chan struct{})}
}

// RunExpiry expires invitations every interval until Close; reads expire
// them lazily too, so the scheduler only bounds how long a stale row stays.
func (s *Service) RunExpiry(interval time.Duration) {
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				if err := s.expire(context.Background()); err != nil {
					s.d.Logger.Warn("ram: expiring invitations failed", "error", err.Error())
				}
			}
		}
	}()
}

// Close stops the expiry scheduler.
func (s *Service) Close() { s.stopOnce.Do(func() { close(s.stop) }) }

// partitionOf maps a region to its partition ("aws" for a region the
// table does not know).
func partitionOf(region string) string {
	if p := regions.PartitionOf(region); p != "" {
		return p
	}
	return "aws"
}

func regionOf(c *authz.Caller) string {
	if c.Region == "" {
		return "us-east-1"
	}
	return c.Region
}

func (s *Service) shareARN(c *authz.Caller, id string) string {
	r := regionOf(c)
	return "arn:" + partitionOf(r) + ":ram:" + r + ":" + c.AccountID + ":resource-share/" + id
}

func (s *Service) invitationARN(region, sender, id string) string {
	return "arn:" + partitionOf(region) + ":ram:" + region + ":" + sender + ":resource-share-invitation/" + id
}

// authorize checks ram:<op> on resource with RAM's condition keys.
func (s *Service) authorize(ctx context.Context, c *authz.Caller, op, resource, owner string, keys map[string][]string) error {
	return s.d.Engine.Check(ctx, &authz.Request{Caller: c, Action: "ram:" + op, Resource: resource, ResourceAccount: owner, Context: keys})
}

// authorizeShare checks ram:<op> on an existing share; for a share of the
// caller's account in this region it adds the share's own condition keys
// (ram:ResourceShareName, ram:AllowsExternalPrincipals,
// ram:ShareOwnerAccountId, aws:ResourceTag/*). Other shares are
// authorized without them and then reported unknown by the operation.
func (s *Service) authorizeShare(ctx context.Context, c *authz.Caller, op, arn string, keys map[string][]string) error {
	req := &authz.Request{Caller: c, Action: "ram:" + op, Resource: arn, Context: map[string][]string{}}
	for k, v := range keys {
		req.Context[k] = v
	}
	sh, err := getShare(ctx, s.d.DB, arn)
	if err != nil {
		return err
	}
	if sh != nil && sh.Owner == c.AccountID && sh.Region == regionOf(c) {
		req.Context["ram:ResourceShareName"] = []string{sh.Name}
		req.Context["ram:AllowsExternalPrincipals"] = []string{strconv.FormatBool(sh.AllowExternal)}
		req.Context["ram:ShareOwnerAccountId"] = []string{sh.Owner}
		req.ResourceTags = map[string]string{}
		for _, t := range sh.Tags {
			req.ResourceTags[t.Key] = t.Value
		}
	}
	return s.d.Engine.Check(ctx, req)
}

// txn runs fn in one transaction; the CAs whose policies fn rewrote are
// reported to pca after the commit.
func (s *Service) txn(ctx context.Context, fn func(tx *sql.Tx, w *writer) error) error {
	w := &writer{s: s, touched: map[string]bool{}}
	err := s.d.DB.Tx(ctx, func(tx *sql.Tx) error {
		w.tx = tx
		clear(w.touched)
		return fn(tx, w)
	})
	for ca := range w.touched {
		s.d.CAs.PolicyChanged(ca)
	}
	return err
}

// writer carries a transaction and the CAs whose policy it rewrote.
type writer struct {
	s       *Service
	tx      *sql.Tx
	touched map[string]bool
}

// regenerate recomputes and writes one CA's policy from every share that
// holds it (§3.3).
func (w *writer) regenerate(ctx context.Context, region, caARN string) error {
	doc, err := w.s.policyFor(ctx, w.tx, region, caARN)
	if err != nil {
		return err
	}
	w.touched[caARN] = true
	return w.s.d.CAs.SetSharedPolicy(ctx, w.tx, caARN, doc)
}

// policyFor computes the CA's policy, in stored form (users and roles by
// the unique IDs they were associated with), from the associations as
// stored. It reads nothing but RAM's rows: it runs in write transactions.
func (s *Service) policyFor(ctx context.Context, q querier, region, caARN string) (string, error) {
	shares, perms, principals, err := grantsRows(ctx, q, region, caARN)
	if err != nil {
		return "", err
	}
	by := map[string]*shareGrant{}
	var grants []shareGrant
	for _, sh := range shares {
		g := shareGrant{ShareARN: sh.ARN}
		if sh.FeatureSet == "CREATED_FROM_POLICY" {
			g.Source = sh.SourcePolicy
		} else if mp := permissionByARN(perms[sh.ARN]); mp != nil {
			g.Statements = mp.Statements
		}
		grants = append(grants, g)
	}
	for i := range grants {
		by[grants[i].ShareARN] = &grants[i]
	}
	for _, a := range principals {
		g := by[a.ShareARN]
		if g == nil || g.Source != "" {
			continue
		}
		g.Principals = append(g.Principals, a.Entity)
		if a.ViaOrg != "" {
			if g.ViaOrg == nil {
				g.ViaOrg = map[string]string{}
			}
			g.ViaOrg[a.Entity] = a.ViaOrg
		}
		if a.PrincipalID != "" {
			if g.IDs == nil {
				g.IDs = map[string]string{}
			}
			g.IDs[a.Entity] = a.PrincipalID
		}
	}
	return buildPolicy(caARN, grants), nil
}

// paginate pages a computed list with signed offset tokens bound to scope.
func paginate[T any](s *Service, scope string, all []T, p Paging) ([]T, string, error) {
	off, limit, err := s.window(scope, p)
	if err != nil {
		return nil, "", err
	}
	if off > len(all) {
		off = len(all)
	}
	end := min(off+limit, len(all))
	page := append([]T{}, all[off:end]...)
	if end == len(all) {
		return page, "", nil
	}
	return page, s.pageToken(scope, end), nil
}

// window decodes a page request: the offset its token carries and the
// page size.
func (s *Service) window(scope string, p Paging) (off, limit int, err error) {
	if p.NextToken != "" {
		var ok bool
		if off, ok = s.pages.OpenOffset(scope, p.NextToken); !ok {
			return 0, 0, errf(InvalidNextToken, "The specified value for NextToken is not valid.")
		}
	}
	limit = 500
	if p.MaxResults != nil {
		limit = int(*p.MaxResults)
	}
	return off, limit, nil
}

// pageToken is the signed token of the page starting at offset end.
func (s *Service) pageToken(scope string, end int) string { return s.pages.SealOffset(scope, end) }

func checkClientToken(tok string) error {
	if len(tok) > 64 {
		return errf(InvalidClientToken, "The client token %s is not valid.", tok)
	}
	for _, r := range tok {
		if r < 0x21 || r > 0x7e {
			return errf(InvalidClientToken, "The client token %s is not valid.", tok)
		}
	}
	return nil
}

// idempotent runs fn once per clientToken: a retry with the same request
// gets the first answer; another request with the token is refused.
func idempotent[O any](ctx context.Context, s *Service, tx *sql.Tx, c *authz.Caller, op, token string, in any, fn func() (*O, error)) (*O, error) {
	if token == "" {
		return fn()
	}
	if err := checkClientToken(token); err != nil {
		return nil, err
	}
	b, _ := json.Marshal(in)
	sum := sha256.Sum256(b)
	fp := hex.EncodeToString(sum[:])
	scope := regionOf(c) + "\x00" + c.AccountID + "\x00" + op + "\x00" + token
	oldFP, answer, ok, err := clientToken(ctx, tx, scope)
	if err != nil {
		return nil, err
	}
	if ok {
		if oldFP != fp {
			return nil, errf(IdempotentParameterMismatch, "The client token %s was already used with different parameters.", token)
		}
		var out O
		if err := json.Unmarshal([]byte(answer), &out); err != nil {
			return nil, err
		}
		return &out, nil
	}
	out, err := fn()
	if err != nil {
		return nil, err
	}
	ab, _ := json.Marshal(out)
	if err := putClientToken(ctx, tx, scope, regionOf(c), fp, string(ab), s.d.Clock.Now()); err != nil {
		return nil, err
	}
	return out, nil
}

// DerivedPolicy is the CA policy the stored associations call for, computed
// afresh and shown as GetPolicy shows it; it must always equal what
// GetPolicy returns (checked by tests).
func (s *Service) DerivedPolicy(ctx context.Context, region, caARN string) (string, error) {
	doc, err := s.policyFor(ctx, s.d.DB, region, caARN)
	if err != nil || doc == "" {
		return doc, err
	}
	return s.d.CAs.ShowPolicy(ctx, doc)
}
