package pca

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/openpca/openpca/internal/store"
)

// certRow is one pca_certificates row.
type certRow struct {
	CAID, Serial                   string
	IssuerPrincipal, IssuerAccount string
	TemplateARN, Subject           string
	NotBefore, NotAfter, IssuedAt  time.Time
	DER                            []byte
	Token                          string
}

// errSerialTaken reports a serial already used by the CA; the issuer
// retries with a fresh serial.
var errSerialTaken = errors.New("pca: serial already issued by this CA")

// tokenUsedError: a certificate with the row's idempotency token was
// committed first by another server sharing the database (lockIdem covers
// one process only); the caller answers with that certificate.
type tokenUsedError struct{ serial string }

func (e *tokenUsedError) Error() string { return "pca: idempotency token already used for " + e.serial }

// insertCerts commits rows in one transaction. ON CONFLICT DO NOTHING keeps
// a colliding serial from aborting the transaction (PostgreSQL aborts on
// any failed statement), so each row gets its own verdict: nil or
// errSerialTaken. The second result is a failure of the whole transaction.
func insertCerts(ctx context.Context, db *store.DB, rows []*certRow) ([]error, error) {
	verdicts := make([]error, len(rows))
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO pca_certificates (ca_id, serial, issuer_principal, issuer_account,
			template_arn, subject, not_before, not_after, issued_at, der, idempotency_token)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (ca_id, serial) DO NOTHING`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, r := range rows {
			if r.Token != "" {
				// Under the store's write lock: no other server commits
				// between this check and the insert.
				var serial string
				err := tx.QueryRowContext(ctx, `SELECT serial FROM pca_certificates WHERE ca_id = $1 AND issuer_account = $2
					AND idempotency_token = $3 AND issued_at > $4 ORDER BY issued_at DESC LIMIT 1`,
					r.CAID, r.IssuerAccount, r.Token, store.Nanos(r.IssuedAt.Add(-idempotencyWindow))).Scan(&serial)
				if err == nil {
					verdicts[i] = &tokenUsedError{serial: serial}
					continue
				}
				if !errors.Is(err, sql.ErrNoRows) {
					return err
				}
			}
			res, err := stmt.ExecContext(ctx, r.CAID, r.Serial, r.IssuerPrincipal, r.IssuerAccount, r.TemplateARN,
				r.Subject, store.Nanos(r.NotBefore), store.Nanos(r.NotAfter), store.Nanos(r.IssuedAt), r.DER, r.Token)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				verdicts[i] = errSerialTaken
			}
		}
		return nil
	})
	return verdicts, err
}

// getCert loads a certificate's DER; nil when the CA never issued serial.
func (s *Service) getCert(ctx context.Context, caID, serial string) ([]byte, error) {
	var der []byte
	err := s.stmts.getCert.QueryRowContext(ctx, caID, serial).Scan(&der)
	if errors.Is(err, store.ErrNoRows) {
		return nil, nil
	}
	return der, err
}

// certByToken finds the serial account issued from caID with token since
// the given time.
func (s *Service) certByToken(ctx context.Context, caID, account, token string, since time.Time) (string, error) {
	var serial string
	err := s.db.QueryRowContext(ctx, `SELECT serial FROM pca_certificates WHERE ca_id = $1 AND issuer_account = $2
		AND idempotency_token = $3 AND issued_at > $4 ORDER BY issued_at DESC LIMIT 1`,
		caID, account, token, store.Nanos(since)).Scan(&serial)
	if errors.Is(err, store.ErrNoRows) {
		return "", nil
	}
	return serial, err
}

// countCerts counts a CA's certificates (tests and quotas).
func (s *Service) countCerts(ctx context.Context, caID string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pca_certificates WHERE ca_id = $1`, caID).Scan(&n)
	return n, err
}
