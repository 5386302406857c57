package pca

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
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
// any failed statement), so each row gets its own verdict: nil,
// errSerialTaken or a *tokenUsedError. The second result is a failure of
// the whole transaction.
func insertCerts(ctx context.Context, db *store.DB, rows []*certRow) ([]error, error) {
	verdicts := make([]error, len(rows))
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		fresh := make([]int, 0, len(rows))
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
			fresh = append(fresh, i)
		}
		if db.Engine() == store.Postgres {
			// One statement per batch: on a networked database each
			// statement is a round trip; SQLite's are function calls.
			return insertCertsMultiRow(ctx, tx, rows, fresh, verdicts)
		}
		stmt, err := tx.PrepareContext(ctx, insertCertSQL+certPlaceholders(0)+certOnConflict)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, i := range fresh {
			res, err := stmt.ExecContext(ctx, certArgs(rows[i])...)
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

const (
	insertCertSQL = `INSERT INTO pca_certificates (ca_id, serial, issuer_principal, issuer_account,
		template_arn, subject, not_before, not_after, issued_at, der, idempotency_token) VALUES `
	certOnConflict = ` ON CONFLICT (ca_id, serial) DO NOTHING`
	certColumns    = 11
)

// certPlaceholders is the placeholder tuple of the k-th row of a
// multi-row INSERT.
func certPlaceholders(k int) string {
	var b strings.Builder
	b.WriteByte('(')
	for c := range certColumns {
		if c > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(k*certColumns + c + 1))
	}
	b.WriteByte(')')
	return b.String()
}

func certArgs(r *certRow) []any {
	return []any{r.CAID, r.Serial, r.IssuerPrincipal, r.IssuerAccount, r.TemplateARN,
		r.Subject, store.Nanos(r.NotBefore), store.Nanos(r.NotAfter), store.Nanos(r.IssuedAt), r.DER, r.Token}
}

// insertCertsMultiRow inserts rows[fresh…] in one statement; a row the
// database did not return collided with a stored serial (or an earlier
// row of the batch with the same serial, which wins).
func insertCertsMultiRow(ctx context.Context, tx *sql.Tx, rows []*certRow, fresh []int, verdicts []error) error {
	if len(fresh) == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString(insertCertSQL)
	args := make([]any, 0, len(fresh)*certColumns)
	for k, i := range fresh {
		if k > 0 {
			q.WriteByte(',')
		}
		q.WriteString(certPlaceholders(k))
		args = append(args, certArgs(rows[i])...)
	}
	q.WriteString(certOnConflict + ` RETURNING ca_id, serial`)
	res, err := tx.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return err
	}
	defer res.Close()
	inserted := map[[2]string]bool{}
	for res.Next() {
		var k [2]string
		if err := res.Scan(&k[0], &k[1]); err != nil {
			return err
		}
		inserted[k] = true
	}
	if err := res.Err(); err != nil {
		return err
	}
	for _, i := range fresh {
		k := [2]string{rows[i].CAID, rows[i].Serial}
		if inserted[k] {
			delete(inserted, k) // a later row with the same serial lost
		} else {
			verdicts[i] = errSerialTaken
		}
	}
	return nil
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
