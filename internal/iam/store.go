package iam

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/store"
)

// Config is the IAM service's configuration.
type Config struct {
	// Partition is the ARN partition ("aws" when empty).
	Partition string
}

// Store is IAM's persistence: accounts, entities, policies, keys and
// sessions. It implements authz.IdentitySource and resolves access keys.
type Store struct {
	db      *store.DB
	sealer  keystore.Sealer
	clk     clock.Clock
	arn     arns
	managed *awsManagedSet
	creds   credCache
}

// NewStore builds the store. It needs no authorization engine, so it can be
// handed to authz.New before the Service exists.
func NewStore(db *store.DB, sealer keystore.Sealer, clk clock.Clock, cfg Config) *Store {
	if cfg.Partition == "" {
		cfg.Partition = "aws"
	}
	if clk == nil {
		clk = clock.Real{}
	}
	a := arns{partition: cfg.Partition}
	usePageKeyOf(db)
	return &Store{db: db, sealer: sealer, clk: clk, arn: a, managed: loadAWSManaged(a)}
}

// querier is satisfied by *sql.DB and *sql.Tx.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scanner is a *sql.Row or *sql.Rows.
type scanner = store.Scanner

// execAffected runs a statement and reports whether it changed any row.
func execAffected(ctx context.Context, q querier, query string, args ...any) (bool, error) {
	res, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// underPath keeps the items whose path starts with prefix.
func underPath[T any](items []T, path func(T) string, prefix string) []T {
	var out []T
	for _, it := range items {
		if strings.HasPrefix(path(it), prefix) {
			out = append(out, it)
		}
	}
	return out
}

// Account is one account row.
type Account struct {
	ID        string
	Name      string
	Email     string
	CreatedAt time.Time
}

func (s *Store) insertAccount(ctx context.Context, q querier, a *Account) error {
	_, err := q.ExecContext(ctx, `INSERT INTO accounts (id, name, email, created_at) VALUES ($1, $2, $3, $4)`,
		a.ID, a.Name, a.Email, store.Nanos(a.CreatedAt))
	return err
}

func scanAccount(sc scanner) (*Account, error) {
	var a Account
	var created int64
	if err := sc.Scan(&a.ID, &a.Name, &a.Email, &created); err != nil {
		return nil, err
	}
	a.CreatedAt = store.Time(created)
	return &a, nil
}

func (s *Store) getAccount(ctx context.Context, q querier, id string) (*Account, error) {
	return store.QueryOne(ctx, q, scanAccount, `SELECT id, name, email, created_at FROM accounts WHERE id = $1`, id)
}

func (s *Store) listAccounts(ctx context.Context) ([]Account, error) {
	return store.QueryAll(ctx, s.db, func(sc scanner) (Account, error) {
		a, err := scanAccount(sc)
		if err != nil {
			return Account{}, err
		}
		return *a, nil
	}, `SELECT id, name, email, created_at FROM accounts ORDER BY id`)
}

// entity is a user, group or role row (the columns they share).
type entity struct {
	ID        string
	AccountID string
	Name      string
	Path      string
	CreatedAt time.Time
}

// entityTable names the table of each entity kind.
var entityTable = map[string]string{"user": "iam_users", "group": "iam_groups"}

func (s *Store) insertEntity(ctx context.Context, q querier, kind string, e *entity) error {
	_, err := q.ExecContext(ctx, `INSERT INTO `+entityTable[kind]+` (id, account_id, name, name_lower, path, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		e.ID, e.AccountID, e.Name, strings.ToLower(e.Name), e.Path, store.Nanos(e.CreatedAt))
	return err
}

func scanEntity(sc scanner) (*entity, error) {
	var e entity
	var created int64
	if err := sc.Scan(&e.ID, &e.AccountID, &e.Name, &e.Path, &created); err != nil {
		return nil, err
	}
	e.CreatedAt = store.Time(created)
	return &e, nil
}

// getEntity finds a user or group by name (case-insensitively); nil when absent.
func (s *Store) getEntity(ctx context.Context, q querier, kind, acct, name string) (*entity, error) {
	return store.QueryOne(ctx, q, scanEntity, `SELECT id, account_id, name, path, created_at FROM `+entityTable[kind]+` WHERE account_id = $1 AND name_lower = $2`,
		acct, strings.ToLower(name))
}

func (s *Store) getEntityByID(ctx context.Context, q querier, kind, id string) (*entity, error) {
	return store.QueryOne(ctx, q, scanEntity, `SELECT id, account_id, name, path, created_at FROM `+entityTable[kind]+` WHERE id = $1`, id)
}

func (s *Store) listEntities(ctx context.Context, q querier, kind, acct, pathPrefix string) ([]*entity, error) {
	all, err := store.QueryAll(ctx, q, scanEntity, `SELECT id, account_id, name, path, created_at FROM `+entityTable[kind]+` WHERE account_id = $1 ORDER BY name_lower`, acct)
	if err != nil {
		return nil, err
	}
	return underPath(all, func(e *entity) string { return e.Path }, pathPrefix), nil
}

func (s *Store) updateEntity(ctx context.Context, q querier, kind string, id, name, path string) error {
	_, err := q.ExecContext(ctx, `UPDATE `+entityTable[kind]+` SET name = $1, name_lower = $2, path = $3 WHERE id = $4`,
		name, strings.ToLower(name), path, id)
	s.wrote(q) // a user's ARN is in its keys' principal
	return err
}

func (s *Store) deleteEntity(ctx context.Context, q querier, kind, id string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM iam_tags WHERE entity_id = $1`, id); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, `DELETE FROM `+entityTable[kind]+` WHERE id = $1`, id)
	s.wrote(q)
	return err
}

// Group membership.

func (s *Store) addMember(ctx context.Context, q querier, groupID, userID string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO iam_group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, groupID, userID)
	return err
}

func (s *Store) removeMember(ctx context.Context, q querier, groupID, userID string) (bool, error) {
	return execAffected(ctx, q, `DELETE FROM iam_group_members WHERE group_id = $1 AND user_id = $2`, groupID, userID)
}

func (s *Store) groupsOfUser(ctx context.Context, q querier, userID string) ([]*entity, error) {
	return store.QueryAll(ctx, q, scanEntity, `SELECT g.id, g.account_id, g.name, g.path, g.created_at FROM iam_groups g
		JOIN iam_group_members m ON m.group_id = g.id WHERE m.user_id = $1 ORDER BY g.name_lower`, userID)
}

func (s *Store) usersOfGroup(ctx context.Context, q querier, groupID string) ([]*entity, error) {
	return store.QueryAll(ctx, q, scanEntity, `SELECT u.id, u.account_id, u.name, u.path, u.created_at FROM iam_users u
		JOIN iam_group_members m ON m.user_id = u.id WHERE m.group_id = $1 ORDER BY u.name_lower`, groupID)
}

// count runs a SELECT COUNT(*) query.
func count(ctx context.Context, q querier, query string, args ...any) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

// Tags.

// Tag is a key/value pair on a user or role.
type Tag struct {
	Key   string `required:"true" min:"1" max:"128" pattern:"^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+$"`
	Value string `required:"true" max:"256" pattern:"^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$"`
}

func (s *Store) tags(ctx context.Context, q querier, entityID string) ([]Tag, error) {
	return store.QueryAll(ctx, q, func(sc scanner) (Tag, error) {
		var t Tag
		err := sc.Scan(&t.Key, &t.Value)
		return t, err
	}, `SELECT tag_key, tag_value FROM iam_tags WHERE entity_id = $1 ORDER BY key_lower`, entityID)
}

func (s *Store) putTags(ctx context.Context, q querier, entityID string, tags []Tag) error {
	for _, t := range tags {
		if _, err := q.ExecContext(ctx, `INSERT INTO iam_tags (entity_id, tag_key, key_lower, tag_value) VALUES ($1, $2, $3, $4)
			ON CONFLICT (entity_id, key_lower) DO UPDATE SET tag_key = excluded.tag_key, tag_value = excluded.tag_value`,
			entityID, t.Key, strings.ToLower(t.Key), t.Value); err != nil {
			return err
		}
	}
	s.wrote(q) // principal tags
	return nil
}

func (s *Store) deleteTags(ctx context.Context, q querier, entityID string, keys []string) error {
	for _, k := range keys {
		if _, err := q.ExecContext(ctx, `DELETE FROM iam_tags WHERE entity_id = $1 AND key_lower = $2`, entityID, strings.ToLower(k)); err != nil {
			return err
		}
	}
	s.wrote(q) // principal tags
	return nil
}

func tagMap(tags []Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}
