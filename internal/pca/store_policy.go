package pca

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/openpca/openpca/internal/store"
)

// getPolicy returns the CA's stored policy document; ok is false when none.
func (s *Service) getPolicy(ctx context.Context, caID string) (doc string, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT document FROM pca_ca_policies WHERE ca_id = $1`, caID).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return doc, err == nil, err
}

// putPolicy stores doc as the CA's policy, replacing any earlier one. It
// reports false, storing nothing, when the CA is gone or DELETED by then
// (a concurrent DeleteCertificateAuthority wins). RAM records the
// hand-written document in the same transaction.
func (s *Service) putPolicy(ctx context.Context, caID, caARN, owner, doc, by string, now time.Time) (bool, error) {
	var stored bool
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if stored, err = putPolicyTx(ctx, tx, caID, doc, by, now); err != nil || !stored || s.sharing == nil {
			return err
		}
		return s.sharing.PolicyPut(ctx, tx, caARN, owner, doc)
	})
	return stored, err
}

func putPolicyTx(ctx context.Context, tx *sql.Tx, caID, doc, by string, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO pca_ca_policies (ca_id, document, updated_at, updated_by)
		SELECT id, $2, $3, $4 FROM pca_cas WHERE id = $1 AND status <> 'DELETED'
		ON CONFLICT (ca_id) DO UPDATE SET document = excluded.document,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		caID, doc, store.Nanos(now), by)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// deletePolicy removes the CA's policy; removing none is not an error. RAM
// drops the CA from its shares in the same transaction.
func (s *Service) deletePolicy(ctx context.Context, caID, caARN string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := deletePolicyTx(ctx, tx, caID); err != nil || s.sharing == nil {
			return err
		}
		return s.sharing.PolicyDeleted(ctx, tx, caARN)
	})
}

func deletePolicyTx(ctx context.Context, tx *sql.Tx, caID string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM pca_ca_policies WHERE ca_id = $1`, caID)
	return err
}
