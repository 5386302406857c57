package pca

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/openpca/openpca/internal/pki"
	"github.com/openpca/openpca/internal/store"
)

// revStmts are the prepared queries of the OCSP and CRL hot paths.
type revStmts struct {
	certStatus, crlNumber *sql.Stmt
}

const (
	qCertStatus = `SELECT revoked_at, revocation_reason, not_after, template_arn FROM pca_certificates WHERE ca_id = $1 AND serial = $2`
	// The stored CRL's number and whether revocations were stored after it
	// was built (the durable "needs republishing").
	qCRLNumber = `SELECT r.crl_number, COALESCE(n.revocations, 0) > r.revocations_covered
		FROM pca_crls r LEFT JOIN pca_revocation_counts n ON n.ca_id = r.ca_id WHERE r.ca_id = $1`
)

func prepareRevocation(db *sql.DB) (*revStmts, error) {
	var p revStmts
	var err error
	if p.certStatus, err = db.Prepare(qCertStatus); err != nil {
		return nil, err
	}
	if p.crlNumber, err = db.Prepare(qCRLNumber); err != nil {
		p.close()
		return nil, err
	}
	return &p, nil
}

func (p *revStmts) close() {
	for _, st := range []*sql.Stmt{p.certStatus, p.crlNumber} {
		if st != nil {
			st.Close()
		}
	}
}

// certStatus is what revocation needs to know of one certificate.
type certStatus struct {
	RevokedAt   time.Time // zero when not revoked
	Reason      string
	NotAfter    time.Time
	TemplateARN string
}

// Revoked reports a revoked certificate.
func (c *certStatus) Revoked() bool { return !c.RevokedAt.IsZero() }

// certStatus loads a certificate's revocation state; nil when the CA never
// issued serial.
func (s *Service) certStatus(ctx context.Context, caID, serial string) (*certStatus, error) {
	var revoked, notAfter int64
	var cs certStatus
	err := s.rev.stmts.certStatus.QueryRowContext(ctx, caID, serial).Scan(&revoked, &cs.Reason, &notAfter, &cs.TemplateARN)
	if errors.Is(err, store.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if revoked != 0 {
		cs.RevokedAt = store.Time(revoked)
	}
	cs.NotAfter = store.Time(notAfter)
	return &cs, nil
}

// revokeCert records a revocation by principal "by" unless the
// certificate is already revoked; changed is false when it was. The CA's
// revocation counter grows in the same transaction, so a CRL built before
// it committed reads as stale even after a crash.
func (s *Service) revokeCert(ctx context.Context, caID, serial string, at time.Time, reason, by string) (changed bool, err error) {
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE pca_certificates SET revoked_at = $1, revocation_reason = $2, revoked_by = $3
			WHERE ca_id = $4 AND serial = $5 AND revoked_at = 0`, store.Nanos(at), reason, by, caID, serial)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		changed = true
		_, err = tx.ExecContext(ctx, `INSERT INTO pca_revocation_counts (ca_id, revocations) VALUES ($1, 1)
			ON CONFLICT (ca_id) DO UPDATE SET revocations = pca_revocation_counts.revocations + 1`, caID)
		return err
	})
	return changed, err
}

// revocationCount is the CA's revocation counter (0 before the first).
func (s *Service) revocationCount(ctx context.Context, caID string) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT revocations FROM pca_revocation_counts WHERE ca_id = $1`, caID).Scan(&n)
	if errors.Is(err, store.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

// revokedBy is the principal that revoked the certificate ("" when it is
// not revoked or was revoked before this was recorded).
func (s *Service) revokedBy(ctx context.Context, caID, serial string) (string, error) {
	var by string
	err := s.db.QueryRowContext(ctx, `SELECT revoked_by FROM pca_certificates WHERE ca_id = $1 AND serial = $2`, caID, serial).Scan(&by)
	if errors.Is(err, store.ErrNoRows) {
		return "", nil
	}
	return by, err
}

// listRevoked returns the CA's revoked certificates that had not expired
// at notExpiredAt, oldest revocation first.
func (s *Service) listRevoked(ctx context.Context, caID string, notExpiredAt time.Time) ([]pki.RevokedCert, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT serial, revoked_at, revocation_reason FROM pca_certificates
		WHERE ca_id = $1 AND revoked_at > 0 AND not_after > $2 ORDER BY revoked_at, serial`, caID, store.Nanos(notExpiredAt))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []pki.RevokedCert
	for rows.Next() {
		var serial, reason string
		var at int64
		if err := rows.Scan(&serial, &at, &reason); err != nil {
			return nil, err
		}
		n, err := pki.ParseSerial(serial)
		if err != nil {
			return nil, err
		}
		out = append(out, pki.RevokedCert{Serial: n, RevokedAt: store.Time(at), Reason: pki.RevocationReason(reason)})
	}
	return out, rows.Err()
}

// crlRecord is one published CRL.
type crlRecord struct {
	Number                 int64
	ThisUpdate, NextUpdate time.Time
	Path                   string
	DER                    []byte
	// Covered is the CA's revocation counter read before the CRL's
	// entries were listed: every revocation it counts is in the CRL.
	Covered int64
}

// getCRL loads the CA's last CRL; nil when none was published.
func (s *Service) getCRL(ctx context.Context, caID string) (*crlRecord, error) {
	var r crlRecord
	var tu, nu int64
	err := s.db.QueryRowContext(ctx, `SELECT crl_number, this_update, next_update, url_path, der, revocations_covered
		FROM pca_crls WHERE ca_id = $1`, caID).Scan(&r.Number, &tu, &nu, &r.Path, &r.DER, &r.Covered)
	if errors.Is(err, store.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r.ThisUpdate, r.NextUpdate = store.Time(tu), store.Time(nu)
	return &r, nil
}

// crlNumber is the number of the CA's stored CRL (0 when none) and
// whether revocations were stored that it does not hold.
func (s *Service) crlNumber(ctx context.Context, caID string) (n int64, pending bool, err error) {
	err = s.rev.stmts.crlNumber.QueryRowContext(ctx, caID).Scan(&n, &pending)
	if errors.Is(err, store.ErrNoRows) {
		return 0, false, nil
	}
	return n, pending, err
}

// putCRL stores r if this server still holds the CA's CRL lease at now
// and no CRL with a number at least as high is stored; stored reports
// which happened. The lease check and the write share one transaction, so
// a holder whose lease expired meanwhile publishes nothing.
func (s *Service) putCRL(ctx context.Context, caID string, r *crlRecord, now time.Time) (stored bool, err error) {
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		held, err := store.HoldsLease(ctx, tx, crlLeaseName(caID), s.rev.holder, now)
		if err != nil || !held {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO pca_crls (ca_id, crl_number, this_update, next_update, url_path, der, revocations_covered)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (ca_id) DO UPDATE SET crl_number = excluded.crl_number, this_update = excluded.this_update,
				next_update = excluded.next_update, url_path = excluded.url_path, der = excluded.der,
				revocations_covered = excluded.revocations_covered
			WHERE pca_crls.crl_number < excluded.crl_number`,
			caID, r.Number, store.Nanos(r.ThisUpdate), store.Nanos(r.NextUpdate), r.Path, r.DER, r.Covered)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		stored = n > 0
		return err
	})
	return stored, err
}

// crlSchedule is one CA's CRL timing for the scheduler.
type crlSchedule struct {
	CAID                   string
	ThisUpdate, NextUpdate time.Time // zero when no CRL exists
	Pending                bool      // revocations stored that the CRL lacks
}

// crlSchedules lists the CAs that may publish CRLs (ACTIVE or DISABLED
// with a revocation configuration) and their current CRL's times.
func (s *Service) crlSchedules(ctx context.Context) ([]crlSchedule, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, COALESCE(r.this_update, 0), COALESCE(r.next_update, 0),
			COALESCE(n.revocations, 0) > COALESCE(r.revocations_covered, 0)
		FROM pca_cas c LEFT JOIN pca_crls r ON r.ca_id = c.id LEFT JOIN pca_revocation_counts n ON n.ca_id = c.id
		WHERE c.status IN ('ACTIVE', 'DISABLED') AND c.revocation_json <> ''`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []crlSchedule
	for rows.Next() {
		var c crlSchedule
		var tu, nu int64
		if err := rows.Scan(&c.CAID, &tu, &nu, &c.Pending); err != nil {
			return nil, err
		}
		if tu != 0 {
			c.ThisUpdate, c.NextUpdate = store.Time(tu), store.Time(nu)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// issuerCerts returns the installed certificates of CAs that may answer
// OCSP (the responder's issuer index is rebuilt from them).
func (s *Service) issuerCerts(ctx context.Context) (map[string][]byte, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, cert_der FROM pca_cas WHERE status IN ('ACTIVE', 'DISABLED') AND cert_der IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var id string
		var der []byte
		if err := rows.Scan(&id, &der); err != nil {
			return nil, err
		}
		if len(der) > 0 {
			out[id] = der
		}
	}
	return out, rows.Err()
}
