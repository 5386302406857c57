package iam

import (
	"context"
	"time"

	"github.com/openpca/openpca/internal/store"
)

// sshKeyRow is one uploaded SSH public key.
type sshKeyRow struct {
	ID          string
	AccountID   string
	UserID      string
	Body        string
	Fingerprint string
	Status      string
	UploadedAt  time.Time
}

const sshKeyColumns = `id, account_id, user_id, body, fingerprint, status, uploaded_at`

func scanSSHKey(sc scanner) (*sshKeyRow, error) {
	var k sshKeyRow
	var at int64
	if err := sc.Scan(&k.ID, &k.AccountID, &k.UserID, &k.Body, &k.Fingerprint, &k.Status, &at); err != nil {
		return nil, err
	}
	k.UploadedAt = store.Time(at)
	return &k, nil
}

func (s *Store) insertSSHKey(ctx context.Context, q querier, k *sshKeyRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO iam_ssh_public_keys (`+sshKeyColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		k.ID, k.AccountID, k.UserID, k.Body, k.Fingerprint, k.Status, store.Nanos(k.UploadedAt))
	return err
}

// userSSHKey finds key id of user userID; nil when absent.
func (s *Store) userSSHKey(ctx context.Context, q querier, userID, id string) (*sshKeyRow, error) {
	return store.QueryOne(ctx, q, scanSSHKey, `SELECT `+sshKeyColumns+` FROM iam_ssh_public_keys WHERE user_id = $1 AND id = $2`, userID, id)
}

func (s *Store) listSSHKeys(ctx context.Context, q querier, userID string) ([]*sshKeyRow, error) {
	return store.QueryAll(ctx, q, scanSSHKey, `SELECT `+sshKeyColumns+` FROM iam_ssh_public_keys WHERE user_id = $1 ORDER BY id`, userID)
}

func (s *Store) countSSHKeys(ctx context.Context, q querier, userID string) (int, error) {
	return count(ctx, q, `SELECT COUNT(*) FROM iam_ssh_public_keys WHERE user_id = $1`, userID)
}

func (s *Store) sshFingerprintUsed(ctx context.Context, q querier, userID, fp string) (bool, error) {
	n, err := count(ctx, q, `SELECT COUNT(*) FROM iam_ssh_public_keys WHERE user_id = $1 AND fingerprint = $2`, userID, fp)
	return n > 0, err
}

func (s *Store) setSSHKeyStatus(ctx context.Context, q querier, id, status string) error {
	_, err := q.ExecContext(ctx, `UPDATE iam_ssh_public_keys SET status = $1 WHERE id = $2`, status, id)
	return err
}

func (s *Store) deleteSSHKey(ctx context.Context, q querier, id string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM iam_ssh_public_keys WHERE id = $1`, id)
	return err
}
