package iam

import (
	"context"
	"time"

	"github.com/openpca/openpca/internal/store"
)

// serviceCredRow is a service-specific credential; the password is kept
// only sealed by the master key, bound to the credential's ID.
type serviceCredRow struct {
	ID              string
	AccountID       string
	UserID          string
	UserName        string // joined from iam_users
	ServiceName     string
	ServiceUserName string
	Sealed          []byte
	Status          string
	CreatedAt       time.Time
}

const serviceCredSelect = `SELECT c.id, c.account_id, c.user_id, u.name, c.service_name, c.service_user_name, c.sealed_password, c.status, c.created_at
	FROM iam_service_credentials c JOIN iam_users u ON u.id = c.user_id`

func scanServiceCred(sc scanner) (*serviceCredRow, error) {
	var r serviceCredRow
	var at int64
	if err := sc.Scan(&r.ID, &r.AccountID, &r.UserID, &r.UserName, &r.ServiceName, &r.ServiceUserName, &r.Sealed, &r.Status, &at); err != nil {
		return nil, err
	}
	r.CreatedAt = store.Time(at)
	return &r, nil
}

func (s *Store) insertServiceCred(ctx context.Context, q querier, r *serviceCredRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO iam_service_credentials (id, account_id, user_id, service_name, service_user_name, sealed_password, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		r.ID, r.AccountID, r.UserID, r.ServiceName, r.ServiceUserName, r.Sealed, r.Status, store.Nanos(r.CreatedAt))
	return err
}

// userServiceCred finds credential id of user userID; nil when absent.
func (s *Store) userServiceCred(ctx context.Context, q querier, userID, id string) (*serviceCredRow, error) {
	return store.QueryOne(ctx, q, scanServiceCred, serviceCredSelect+` WHERE c.user_id = $1 AND c.id = $2`, userID, id)
}

// listServiceCreds lists a user's credentials, or with userID "" every
// credential of the account; service "" means every service.
func (s *Store) listServiceCreds(ctx context.Context, q querier, acct, userID, service string) ([]*serviceCredRow, error) {
	return store.QueryAll(ctx, q, scanServiceCred, serviceCredSelect+` WHERE c.account_id = $1 AND ($2 = '' OR c.user_id = $2) AND ($3 = '' OR c.service_name = $3)
		ORDER BY c.id`, acct, userID, service)
}

func (s *Store) countServiceCreds(ctx context.Context, q querier, userID, service string) (int, error) {
	return count(ctx, q, `SELECT COUNT(*) FROM iam_service_credentials WHERE user_id = $1 AND service_name = $2`, userID, service)
}

func (s *Store) setServiceCredPassword(ctx context.Context, q querier, id string, sealed []byte) error {
	_, err := q.ExecContext(ctx, `UPDATE iam_service_credentials SET sealed_password = $1 WHERE id = $2`, sealed, id)
	return err
}

func (s *Store) setServiceCredStatus(ctx context.Context, q querier, id, status string) error {
	_, err := q.ExecContext(ctx, `UPDATE iam_service_credentials SET status = $1 WHERE id = $2`, status, id)
	return err
}

func (s *Store) deleteServiceCred(ctx context.Context, q querier, id string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM iam_service_credentials WHERE id = $1`, id)
	return err
}
