package pca

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/openpca/openpca/internal/store"
)

// auditRow is one pca_audit_reports row.
type auditRow struct {
	ID, CAID, Status, Bucket, Key, Format, RequestedBy string
	CreatedAt                                          time.Time
}

// insertAuditReport stores a CREATING report unless the CA has one created
// after since (the 30-minute rule); busy reports that case.
func (s *Service) insertAuditReport(ctx context.Context, r *auditRow, since time.Time) (busy bool, err error) {
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM pca_audit_reports WHERE ca_id = $1 AND created_at > $2`,
			r.CAID, store.Nanos(since)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			busy = true
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO pca_audit_reports (id, ca_id, status, bucket, s3_key, format, created_at, requested_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, r.ID, r.CAID, r.Status, r.Bucket, r.Key, r.Format, store.Nanos(r.CreatedAt), r.RequestedBy)
		return err
	})
	return busy, err
}

func (s *Service) setAuditStatus(ctx context.Context, id, status string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE pca_audit_reports SET status = $1 WHERE id = $2`, status, id)
	return err
}

// getAuditReport loads a report; nil when it does not exist.
func (s *Service) getAuditReport(ctx context.Context, id string) (*auditRow, error) {
	var r auditRow
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT id, ca_id, status, bucket, s3_key, format, created_at, requested_by
		FROM pca_audit_reports WHERE id = $1`, id).Scan(&r.ID, &r.CAID, &r.Status, &r.Bucket, &r.Key, &r.Format, &created, &r.RequestedBy)
	if errors.Is(err, store.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r.CreatedAt = store.Time(created)
	return &r, nil
}

// auditCert is one certificate as audit reports list it.
type auditCert struct {
	Serial, Principal, Account, TemplateARN, Subject, Reason string
	NotBefore, NotAfter, IssuedAt, RevokedAt                 time.Time
}

// eachAuditCert calls fn for every certificate the CA issued, in issuance order.
func (s *Service) eachAuditCert(ctx context.Context, caID string, fn func(*auditCert) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT serial, issuer_principal, issuer_account, template_arn, subject,
		not_before, not_after, issued_at, revoked_at, revocation_reason FROM pca_certificates WHERE ca_id = $1
		ORDER BY issued_at, serial`, caID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c auditCert
		var nb, na, ia, ra int64
		if err := rows.Scan(&c.Serial, &c.Principal, &c.Account, &c.TemplateARN, &c.Subject, &nb, &na, &ia, &ra, &c.Reason); err != nil {
			return err
		}
		c.NotBefore, c.NotAfter, c.IssuedAt = store.Time(nb), store.Time(na), store.Time(ia)
		if ra != 0 {
			c.RevokedAt = store.Time(ra)
		}
		if err := fn(&c); err != nil {
			return err
		}
	}
	return rows.Err()
}
