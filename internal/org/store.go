package org

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/store"
)

// Store is the organizations persistence. It needs no authorization engine,
// so it can be handed to authz.New (as the OrgSource) before the Service
// exists.
type Store struct {
	db     *store.DB
	clk    clock.Clock
	arn    arns
	closed closedCache
}

// NewStore builds the store.
func NewStore(db *store.DB, clk clock.Clock, cfg Config) *Store {
	if clk == nil {
		clk = clock.Real{}
	}
	if cfg.Partition == "" {
		cfg.Partition = "aws"
	}
	usePageKeyOf(db)
	return &Store{db: db, clk: clk, arn: arns{partition: cfg.Partition}}
}

// querier is satisfied by *sql.DB and *sql.Tx.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type orgRow struct {
	ID, Management, FeatureSet, RootID string
	CreatedAt                          time.Time
}

type unitRow struct {
	ID, OrgID, ParentID, Name string
	CreatedAt                 time.Time
}

type memberRow struct {
	AccountID, OrgID, ParentID, JoinedMethod string
	JoinedAt                                 time.Time
	ClosedAt                                 time.Time // zero while open
}

type carRow struct {
	ID, OrgID, AccountName, State, AccountID, FailureReason string
	RequestedAt, CompletedAt                                time.Time
}

type handshakeRow struct {
	ID, OrgID, Action, State, TargetType, TargetID, Notes string
	RequestedAt, ExpiresAt                                time.Time
}

type policyRow struct {
	ID, OrgID, Name, Description, Type, Content string
	AWSManaged                                  bool
	CreatedAt                                   time.Time
}

type attachmentRow struct {
	PolicyID, TargetID, PolicyType string
}

func noRows[T any](v *T, err error) (*T, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

// --- organizations

func (s *Store) insertOrg(ctx context.Context, q querier, o *orgRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO org_organizations (id, management_account, feature_set, root_id, created_at) VALUES ($1, $2, $3, $4, $5)`,
		o.ID, o.Management, o.FeatureSet, o.RootID, store.Nanos(o.CreatedAt))
	return err
}

func (s *Store) getOrg(ctx context.Context, q querier, id string) (*orgRow, error) {
	var o orgRow
	var at int64
	err := q.QueryRowContext(ctx, `SELECT id, management_account, feature_set, root_id, created_at FROM org_organizations WHERE id = $1`, id).
		Scan(&o.ID, &o.Management, &o.FeatureSet, &o.RootID, &at)
	o.CreatedAt = store.Time(at)
	return noRows(&o, err)
}

// deleteOrg removes the organization and everything that hangs off it.
func (s *Store) deleteOrg(ctx context.Context, q querier, id string) error {
	for _, table := range []string{"org_tags", "org_policy_attachments", "org_policies", "org_policy_types", "org_service_access",
		"org_handshakes", "org_create_account_requests", "org_delegated_admins", "org_members", "org_units"} {
		if _, err := q.ExecContext(ctx, `DELETE FROM `+table+` WHERE org_id = $1`, id); err != nil {
			return err
		}
	}
	_, err := q.ExecContext(ctx, `DELETE FROM org_organizations WHERE id = $1`, id)
	return err
}

// --- roots and OUs

func (s *Store) insertUnit(ctx context.Context, q querier, u *unitRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO org_units (id, org_id, parent_id, name, created_at) VALUES ($1, $2, $3, $4, $5)`,
		u.ID, u.OrgID, u.ParentID, u.Name, store.Nanos(u.CreatedAt))
	return err
}

const unitColumns = `id, org_id, parent_id, name, created_at`

func scanUnit(sc interface{ Scan(...any) error }) (*unitRow, error) {
	var u unitRow
	var at int64
	if err := sc.Scan(&u.ID, &u.OrgID, &u.ParentID, &u.Name, &at); err != nil {
		return nil, err
	}
	u.CreatedAt = store.Time(at)
	return &u, nil
}

// getUnit returns the root or OU id of org, nil when there is none.
func (s *Store) getUnit(ctx context.Context, q querier, orgID, id string) (*unitRow, error) {
	u, err := scanUnit(q.QueryRowContext(ctx, `SELECT `+unitColumns+` FROM org_units WHERE id = $1 AND org_id = $2`, id, orgID))
	return noRows(u, err)
}

func (s *Store) unitsOf(ctx context.Context, q querier, orgID, parentID string) ([]*unitRow, error) {
	return s.queryUnits(ctx, q, `SELECT `+unitColumns+` FROM org_units WHERE org_id = $1 AND parent_id = $2 ORDER BY id`, orgID, parentID)
}

func (s *Store) allUnits(ctx context.Context, q querier, orgID string) ([]*unitRow, error) {
	return s.queryUnits(ctx, q, `SELECT `+unitColumns+` FROM org_units WHERE org_id = $1 ORDER BY id`, orgID)
}

func (s *Store) queryUnits(ctx context.Context, q querier, query string, args ...any) ([]*unitRow, error) {
	return store.QueryAll(ctx, q, scanUnit, query, args...)
}

func (s *Store) renameUnit(ctx context.Context, q querier, id, name string) error {
	_, err := q.ExecContext(ctx, `UPDATE org_units SET name = $1 WHERE id = $2`, name, id)
	return err
}

func (s *Store) deleteUnit(ctx context.Context, q querier, orgID, id string) error {
	return s.forgetTarget(ctx, q, orgID, id, `DELETE FROM org_units WHERE id = $1`)
}

// forgetTarget deletes a target's attachments and tags, then runs del.
func (s *Store) forgetTarget(ctx context.Context, q querier, orgID, id, del string) error {
	for _, stmt := range []string{
		`DELETE FROM org_policy_attachments WHERE org_id = $1 AND target_id = $2`,
		`DELETE FROM org_tags WHERE org_id = $1 AND resource_id = $2`,
	} {
		if _, err := q.ExecContext(ctx, stmt, orgID, id); err != nil {
			return err
		}
	}
	_, err := q.ExecContext(ctx, del, id)
	return err
}

func (s *Store) countRows(ctx context.Context, q querier, query string, args ...any) (int, error) {
	var n int64
	err := q.QueryRowContext(ctx, query, args...).Scan(&n)
	return int(n), err
}

func (s *Store) countChildren(ctx context.Context, q querier, parentID string) (units, accounts int, err error) {
	if units, err = s.countRows(ctx, q, `SELECT COUNT(*) FROM org_units WHERE parent_id = $1`, parentID); err != nil {
		return 0, 0, err
	}
	accounts, err = s.countRows(ctx, q, `SELECT COUNT(*) FROM org_members WHERE parent_id = $1`, parentID)
	return units, accounts, err
}

// countMembers counts an organization's accounts, the management included.
func (s *Store) countMembers(ctx context.Context, q querier, orgID string) (int, error) {
	return s.countRows(ctx, q, `SELECT COUNT(*) FROM org_members WHERE org_id = $1`, orgID)
}

// countMembersBut counts an organization's accounts other than acct.
func (s *Store) countMembersBut(ctx context.Context, q querier, orgID, acct string) (int, error) {
	return s.countRows(ctx, q, `SELECT COUNT(*) FROM org_members WHERE org_id = $1 AND account_id <> $2`, orgID, acct)
}

// serviceAccessOn reports whether trusted access for principal is enabled.
func (s *Store) serviceAccessOn(ctx context.Context, q querier, orgID, principal string) (bool, error) {
	n, err := s.countRows(ctx, q, `SELECT COUNT(*) FROM org_service_access WHERE org_id = $1 AND service_principal = $2`, orgID, principal)
	return n > 0, err
}

func (s *Store) countUnits(ctx context.Context, q querier, orgID string) (int, error) {
	return s.countRows(ctx, q, `SELECT COUNT(*) FROM org_units WHERE org_id = $1 AND parent_id <> ''`, orgID)
}

// --- members

const memberColumns = `account_id, org_id, parent_id, joined_method, joined_at`

// memberSelect reads members with their closure, if any.
const memberSelect = `SELECT m.account_id, m.org_id, m.parent_id, m.joined_method, m.joined_at, COALESCE(c.closed_at, 0)
	FROM org_members m LEFT JOIN org_closed_accounts c ON c.account_id = m.account_id`

func scanMember(sc interface{ Scan(...any) error }) (*memberRow, error) {
	var m memberRow
	var at, closed int64
	if err := sc.Scan(&m.AccountID, &m.OrgID, &m.ParentID, &m.JoinedMethod, &at, &closed); err != nil {
		return nil, err
	}
	m.JoinedAt, m.ClosedAt = store.Time(at), store.Time(closed)
	return &m, nil
}

func (s *Store) insertMember(ctx context.Context, q querier, m *memberRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO org_members (`+memberColumns+`) VALUES ($1, $2, $3, $4, $5)`,
		m.AccountID, m.OrgID, m.ParentID, m.JoinedMethod, store.Nanos(m.JoinedAt))
	return err
}

// getMember returns the account's membership, nil for a standalone account.
func (s *Store) getMember(ctx context.Context, q querier, accountID string) (*memberRow, error) {
	m, err := scanMember(q.QueryRowContext(ctx, memberSelect+` WHERE m.account_id = $1`, accountID))
	return noRows(m, err)
}

func (s *Store) membersOf(ctx context.Context, q querier, orgID, parentID string) ([]*memberRow, error) {
	query, args := memberSelect+` WHERE m.org_id = $1 ORDER BY m.account_id`, []any{orgID}
	if parentID != "" {
		query, args = memberSelect+` WHERE m.org_id = $1 AND m.parent_id = $2 ORDER BY m.account_id`, []any{orgID, parentID}
	}
	return store.QueryAll(ctx, q, scanMember, query, args...)
}

func (s *Store) moveMember(ctx context.Context, q querier, accountID, parentID string) error {
	_, err := q.ExecContext(ctx, `UPDATE org_members SET parent_id = $1 WHERE account_id = $2`, parentID, accountID)
	return err
}

func (s *Store) deleteMember(ctx context.Context, q querier, orgID, accountID string) error {
	return s.forgetTarget(ctx, q, orgID, accountID, `DELETE FROM org_members WHERE account_id = $1`)
}

// --- create-account requests

const carColumns = `id, org_id, account_name, state, account_id, failure_reason, requested_at, completed_at`

func scanCAR(sc interface{ Scan(...any) error }) (*carRow, error) {
	var r carRow
	var req, done int64
	if err := sc.Scan(&r.ID, &r.OrgID, &r.AccountName, &r.State, &r.AccountID, &r.FailureReason, &req, &done); err != nil {
		return nil, err
	}
	r.RequestedAt, r.CompletedAt = store.Time(req), store.Time(done)
	return &r, nil
}

func (s *Store) insertCAR(ctx context.Context, q querier, r *carRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO org_create_account_requests (`+carColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		r.ID, r.OrgID, r.AccountName, r.State, r.AccountID, r.FailureReason, store.Nanos(r.RequestedAt), store.Nanos(r.CompletedAt))
	return err
}

func (s *Store) getCAR(ctx context.Context, q querier, orgID, id string) (*carRow, error) {
	r, err := scanCAR(q.QueryRowContext(ctx, `SELECT `+carColumns+` FROM org_create_account_requests WHERE id = $1 AND org_id = $2`, id, orgID))
	return noRows(r, err)
}

func (s *Store) listCARs(ctx context.Context, q querier, orgID string) ([]*carRow, error) {
	return store.QueryAll(ctx, q, scanCAR, `SELECT `+carColumns+` FROM org_create_account_requests WHERE org_id = $1 ORDER BY requested_at, id`, orgID)
}

// --- handshakes

const handshakeColumns = `id, org_id, action, state, target_type, target_id, notes, requested_at, expires_at`

func scanHandshake(sc interface{ Scan(...any) error }) (*handshakeRow, error) {
	var h handshakeRow
	var req, exp int64
	if err := sc.Scan(&h.ID, &h.OrgID, &h.Action, &h.State, &h.TargetType, &h.TargetID, &h.Notes, &req, &exp); err != nil {
		return nil, err
	}
	h.RequestedAt, h.ExpiresAt = store.Time(req), store.Time(exp)
	return &h, nil
}

func (s *Store) insertHandshake(ctx context.Context, q querier, h *handshakeRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO org_handshakes (`+handshakeColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		h.ID, h.OrgID, h.Action, h.State, h.TargetType, h.TargetID, h.Notes, store.Nanos(h.RequestedAt), store.Nanos(h.ExpiresAt))
	return err
}

func (s *Store) getHandshake(ctx context.Context, q querier, id string) (*handshakeRow, error) {
	h, err := scanHandshake(q.QueryRowContext(ctx, `SELECT `+handshakeColumns+` FROM org_handshakes WHERE id = $1`, id))
	return noRows(h, err)
}

func (s *Store) setHandshakeState(ctx context.Context, q querier, id, state string) error {
	_, err := q.ExecContext(ctx, `UPDATE org_handshakes SET state = $1 WHERE id = $2`, state, id)
	return err
}

// handshakesWhere lists handshakes of an organization (orgID set) or
// addressed to an account (targetID set), or both (OR); "" matches none.
func (s *Store) handshakesWhere(ctx context.Context, q querier, orgID, targetID string) ([]*handshakeRow, error) {
	return store.QueryAll(ctx, q, scanHandshake, `SELECT `+handshakeColumns+` FROM org_handshakes WHERE org_id = $1 OR target_id = $2 ORDER BY requested_at, id`, orgID, targetID)
}

// --- trusted service access

func (s *Store) enableService(ctx context.Context, q querier, orgID, principal string, at time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO org_service_access (org_id, service_principal, enabled_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		orgID, principal, store.Nanos(at))
	return err
}

func (s *Store) disableService(ctx context.Context, q querier, orgID, principal string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM org_service_access WHERE org_id = $1 AND service_principal = $2`, orgID, principal)
	return err
}

type serviceAccess struct {
	Principal string
	EnabledAt time.Time
}

func (s *Store) services(ctx context.Context, q querier, orgID string) ([]serviceAccess, error) {
	rows, err := q.QueryContext(ctx, `SELECT service_principal, enabled_at FROM org_service_access WHERE org_id = $1 ORDER BY service_principal`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []serviceAccess
	for rows.Next() {
		var sa serviceAccess
		var at int64
		if err := rows.Scan(&sa.Principal, &at); err != nil {
			return nil, err
		}
		sa.EnabledAt = store.Time(at)
		out = append(out, sa)
	}
	return out, rows.Err()
}

// --- tags

func (s *Store) tags(ctx context.Context, q querier, orgID, resourceID string) ([]Tag, error) {
	rows, err := q.QueryContext(ctx, `SELECT tag_key, tag_value FROM org_tags WHERE org_id = $1 AND resource_id = $2 ORDER BY tag_key`, orgID, resourceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Tag{}
	for rows.Next() {
		var t Tag
		if err := rows.Scan(&t.Key, &t.Value); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (s *Store) putTags(ctx context.Context, q querier, orgID, resourceID string, tags []Tag) error {
	for _, t := range tags {
		if _, err := q.ExecContext(ctx, `INSERT INTO org_tags (org_id, resource_id, tag_key, tag_value) VALUES ($1, $2, $3, $4)
			ON CONFLICT (org_id, resource_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value`, orgID, resourceID, t.Key, t.Value); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) deleteTags(ctx context.Context, q querier, orgID, resourceID string, keys []string) error {
	for _, k := range keys {
		if _, err := q.ExecContext(ctx, `DELETE FROM org_tags WHERE org_id = $1 AND resource_id = $2 AND tag_key = $3`, orgID, resourceID, k); err != nil {
			return err
		}
	}
	return nil
}
