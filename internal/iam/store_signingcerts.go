package iam

import (
	"context"
	"time"

	"github.com/openpca/openpca/internal/store"
)

// signingCertRow is an uploaded X.509 signing certificate; UserID "" is the
// account root.
type signingCertRow struct {
	ID         string
	AccountID  string
	UserID     string
	Body       string
	Digest     string
	Status     string
	UploadedAt time.Time
}

const signingCertColumns = `id, account_id, user_id, body, digest, status, uploaded_at`

func scanSigningCert(sc scanner) (*signingCertRow, error) {
	var r signingCertRow
	var at int64
	if err := sc.Scan(&r.ID, &r.AccountID, &r.UserID, &r.Body, &r.Digest, &r.Status, &at); err != nil {
		return nil, err
	}
	r.UploadedAt = store.Time(at)
	return &r, nil
}

func (s *Store) insertSigningCert(ctx context.Context, q querier, r *signingCertRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO iam_signing_certificates (`+signingCertColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		r.ID, r.AccountID, r.UserID, r.Body, r.Digest, r.Status, store.Nanos(r.UploadedAt))
	return err
}

// signingCert finds certificate id of the account's user userID.
func (s *Store) signingCert(ctx context.Context, q querier, acct, userID, id string) (*signingCertRow, error) {
	return store.QueryOne(ctx, q, scanSigningCert, `SELECT `+signingCertColumns+` FROM iam_signing_certificates WHERE account_id = $1 AND user_id = $2 AND id = $3`, acct, userID, id)
}

func (s *Store) listSigningCerts(ctx context.Context, q querier, acct, userID string) ([]*signingCertRow, error) {
	return store.QueryAll(ctx, q, scanSigningCert, `SELECT `+signingCertColumns+` FROM iam_signing_certificates WHERE account_id = $1 AND user_id = $2 ORDER BY id`, acct, userID)
}

func (s *Store) countSigningCerts(ctx context.Context, q querier, acct, userID string) (int, error) {
	return count(ctx, q, `SELECT COUNT(*) FROM iam_signing_certificates WHERE account_id = $1 AND user_id = $2`, acct, userID)
}

func (s *Store) signingDigestUsed(ctx context.Context, q querier, acct, digest string) (bool, error) {
	n, err := count(ctx, q, `SELECT COUNT(*) FROM iam_signing_certificates WHERE account_id = $1 AND digest = $2`, acct, digest)
	return n > 0, err
}

func (s *Store) setSigningCertStatus(ctx context.Context, q querier, id, status string) error {
	_, err := q.ExecContext(ctx, `UPDATE iam_signing_certificates SET status = $1 WHERE id = $2`, status, id)
	return err
}

func (s *Store) deleteSigningCert(ctx context.Context, q querier, id string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM iam_signing_certificates WHERE id = $1`, id)
	return err
}
