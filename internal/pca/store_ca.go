package pca

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/pki"
	"github.com/openpca/openpca/internal/store"
)

// CA statuses (CertificateAuthorityStatus).
const (
	statusCreating = "CREATING"
	statusPending  = "PENDING_CERTIFICATE"
	statusActive   = "ACTIVE"
	statusDeleted  = "DELETED"
	statusDisabled = "DISABLED"
	statusExpired  = "EXPIRED"
	statusFailed   = "FAILED"
)

// caRow is one pca_cas row plus its tags.
type caRow struct {
	ID, ARN, Owner, Type, Status, PriorStatus, FailureReason string
	Region                                                   string

	Config     CertificateAuthorityConfiguration
	Revocation *RevocationConfiguration

	KeyStorage, UsageMode, KeyHandle string
	KeyBlob, CSR, Cert, Chain        []byte
	Serial                           string

	NotBefore, NotAfter, CreatedAt, LastChange, RestorableUntil time.Time

	Token, CreatedBy string
	Tags             map[string]string

	// issuedChain is the chain GetCertificate answers for the CA's
	// certificates (its certificate PEM, then its own chain); set by readCA.
	issuedChain string
}

// effectiveStatus is the status callers see: ACTIVE or DISABLED CAs whose
// certificate has expired are EXPIRED.
func (c *caRow) effectiveStatus(now time.Time) string {
	if (c.Status == statusActive || c.Status == statusDisabled) && len(c.Cert) > 0 && !now.Before(c.NotAfter) {
		return statusExpired
	}
	return c.Status
}

// gone reports a DELETED CA whose restoration window has passed.
func (c *caRow) gone(now time.Time) bool {
	return c.Status == statusDeleted && !now.Before(c.RestorableUntil)
}

const caColumns = `id, arn, owner_account, ca_type, status, prior_status, failure_reason, config_json,
	revocation_json, key_storage, usage_mode, key_handle, key_blob, csr_der, cert_der, chain_pem, serial,
	not_before, not_after, created_at, last_state_change_at, restorable_until, idempotency_token, created_by, region`

type scanner = store.Scanner

func scanCA(sc scanner) (*caRow, error) {
	var c caRow
	var cfg, rev string
	var nb, na, ca, lc, ru int64
	if err := sc.Scan(&c.ID, &c.ARN, &c.Owner, &c.Type, &c.Status, &c.PriorStatus, &c.FailureReason, &cfg,
		&rev, &c.KeyStorage, &c.UsageMode, &c.KeyHandle, &c.KeyBlob, &c.CSR, &c.Cert, &c.Chain, &c.Serial,
		&nb, &na, &ca, &lc, &ru, &c.Token, &c.CreatedBy, &c.Region); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(cfg), &c.Config); err != nil {
		return nil, err
	}
	if rev != "" {
		c.Revocation = new(RevocationConfiguration)
		if err := json.Unmarshal([]byte(rev), c.Revocation); err != nil {
			return nil, err
		}
	}
	c.NotBefore, c.NotAfter, c.CreatedAt, c.LastChange, c.RestorableUntil =
		store.Time(nb), store.Time(na), store.Time(ca), store.Time(lc), store.Time(ru)
	return &c, nil
}

func marshalJSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic("pca: marshal: " + err.Error()) // our own shapes always marshal
	}
	return string(b)
}

// createCA inserts a CREATING CA and its tags unless the owner's quota in
// the CA's region (CAs not permanently deleted) is reached: AWS counts the
// quota per account and region.
//
// With an idempotency token it returns the ARN of a CA the same token
// created within the window instead (inserting nothing): the check runs
// under the store's write lock, so servers sharing the database agree.
func (s *Service) createCA(ctx context.Context, c *caRow, quota int, now time.Time) (existing string, err error) {
	defer s.invalidateCA(c.ID)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if c.Token != "" {
			err := tx.QueryRowContext(ctx, `SELECT arn FROM pca_cas WHERE owner_account = $1 AND idempotency_token = $2
				AND created_at > $3 AND region = $4 ORDER BY created_at DESC LIMIT 1`,
				c.Owner, c.Token, store.Nanos(now.Add(-idempotencyWindow)), c.Region).Scan(&existing)
			if err == nil {
				return nil
			}
			if !errors.Is(err, store.ErrNoRows) {
				return err
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM pca_cas WHERE owner_account = $1 AND region = $2
			AND (status <> 'DELETED' OR restorable_until > $3)`, c.Owner, c.Region, store.Nanos(now)).Scan(&n); err != nil {
			return err
		}
		if n >= quota {
			return errf(ErrLimitExceeded, "You have exceeded the number of certificate authorities (%d) allowed in this account.", quota)
		}
		rev := ""
		if c.Revocation != nil {
			rev = marshalJSON(c.Revocation)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO pca_cas (id, arn, owner_account, ca_type, status, config_json,
			revocation_json, key_storage, usage_mode, created_at, last_state_change_at, idempotency_token, created_by, region)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			c.ID, c.ARN, c.Owner, c.Type, c.Status, marshalJSON(&c.Config), rev, c.KeyStorage, c.UsageMode,
			store.Nanos(c.CreatedAt), store.Nanos(c.LastChange), c.Token, c.CreatedBy, c.Region); err != nil {
			return err
		}
		for k, v := range c.Tags {
			if _, err := tx.ExecContext(ctx, `INSERT INTO pca_ca_tags (ca_id, tag_key, tag_value) VALUES ($1, $2, $3)`, c.ID, k, v); err != nil {
				return err
			}
		}
		return nil
	})
	return existing, err
}

// caByToken finds the CA the owner created in region with token since the
// given time.
func (s *Service) caByToken(ctx context.Context, owner, region, token string, since time.Time) (string, error) {
	var arn string
	err := s.db.QueryRowContext(ctx, `SELECT arn FROM pca_cas WHERE owner_account = $1 AND idempotency_token = $2
		AND created_at > $3 AND region = $4 ORDER BY created_at DESC LIMIT 1`, owner, token, store.Nanos(since), region).Scan(&arn)
	if errors.Is(err, store.ErrNoRows) {
		return "", nil
	}
	return arn, err
}

// backfillRegions gives CAs stored before regions existed (migration 0007)
// the region their ARN names.
func backfillRegions(ctx context.Context, db *store.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT id, arn FROM pca_cas WHERE region = ''`)
	if err != nil {
		return err
	}
	fill := map[string]string{}
	for rows.Next() {
		var id, arn string
		if err := rows.Scan(&id, &arn); err != nil {
			rows.Close()
			return err
		}
		if parts := strings.SplitN(arn, ":", 5); len(parts) == 5 && parts[3] != "" {
			fill[id] = parts[3]
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(fill) == 0 {
		return err
	}
	return db.Tx(ctx, func(tx *sql.Tx) error {
		for id, region := range fill {
			if _, err := tx.ExecContext(ctx, `UPDATE pca_cas SET region = $1 WHERE id = $2 AND region = ''`, region, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// Hot read queries are prepared once: the pure-Go SQLite spends more time
// parsing SQL text than running these lookups.
const (
	qGetCA   = `SELECT ` + caColumns + ` FROM pca_cas WHERE id = $1`
	qTags    = `SELECT tag_key, tag_value FROM pca_ca_tags WHERE ca_id = $1`
	qGetCert = `SELECT der FROM pca_certificates WHERE ca_id = $1 AND serial = $2`
)

// prepared holds the prepared hot queries.
type prepared struct {
	getCA, tags, getCert *sql.Stmt
}

func prepare(db *sql.DB) (*prepared, error) {
	var p prepared
	var err error
	for _, q := range []struct {
		dst **sql.Stmt
		sql string
	}{{&p.getCA, qGetCA}, {&p.tags, qTags}, {&p.getCert, qGetCert}} {
		if *q.dst, err = db.Prepare(q.sql); err != nil {
			p.close()
			return nil, err
		}
	}
	return &p, nil
}

func (p *prepared) close() {
	for _, st := range []*sql.Stmt{p.getCA, p.tags, p.getCert} {
		if st != nil {
			st.Close()
		}
	}
}

// readCA reads a CA with its tags from the database; nil when it does not
// exist. Callers go through getCA (ca_cache.go).
func (s *Service) readCA(ctx context.Context, id string) (*caRow, error) {
	c, err := scanCA(s.stmts.getCA.QueryRowContext(ctx, id))
	if errors.Is(err, store.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if c.Tags, err = s.tags(ctx, id); err != nil {
		return nil, err
	}
	if len(c.Cert) > 0 {
		c.issuedChain = pemString(append(pki.EncodeCertPEM(c.Cert), c.Chain...))
	}
	return c, nil
}

// listCAs pages through the owner's CAs in region that are not permanently
// deleted, oldest first.
func (s *Service) listCAs(ctx context.Context, owner, region string, now time.Time, offset, limit int) ([]*caRow, error) {
	return store.QueryAll(ctx, s.db, scanCA, `SELECT `+caColumns+` FROM pca_cas WHERE owner_account = $1 AND region = $2
		AND (status <> 'DELETED' OR restorable_until > $3) ORDER BY created_at, id LIMIT $4 OFFSET $5`,
		owner, region, store.Nanos(now), limit, offset)
}

// finishCreate records the CA's key and CSR and moves CREATING →
// PENDING_CERTIFICATE. ErrConcurrentModify when the CA is no longer
// CREATING (deleted meanwhile): the key was not recorded.
func (s *Service) finishCreate(ctx context.Context, id, handle string, blob, csr []byte, now time.Time) error {
	defer s.invalidateCA(id)
	return s.casUpdate(ctx, `UPDATE pca_cas SET key_handle = $1, key_blob = $2, csr_der = $3, status = $4,
		last_state_change_at = $5 WHERE id = $6 AND status = $7`, handle, blob, csr, statusPending, store.Nanos(now), id, statusCreating)
}

// creatingCAs lists the CAs whose key is still to be generated.
func (s *Service) creatingCAs(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM pca_cas WHERE status = $1 ORDER BY created_at`, statusCreating)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// failCreate moves a CREATING CA to FAILED.
func (s *Service) failCreate(ctx context.Context, id, reason string, now time.Time) error {
	defer s.invalidateCA(id)
	_, err := s.db.ExecContext(ctx, `UPDATE pca_cas SET status = $1, failure_reason = $2, last_state_change_at = $3
		WHERE id = $4 AND status = $5`, statusFailed, reason, store.Nanos(now), id, statusCreating)
	return err
}

// casUpdate runs an UPDATE guarded by the status the caller read; no row
// changed means another request moved the CA first.
func (s *Service) casUpdate(ctx context.Context, query string, args ...any) error {
	res, err := s.db.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return errf(ErrConcurrentModify, "A previous update to the certificate authority is in progress.")
	}
	return nil
}

// installCert stores an imported CA certificate and chain and sets status.
func (s *Service) installCert(ctx context.Context, c *caRow, cert, chain []byte, serial string, nb, na time.Time, status string, now time.Time) error {
	defer s.invalidateCA(c.ID)
	lc := store.Nanos(c.LastChange)
	if status != c.Status {
		lc = store.Nanos(now)
	}
	return s.casUpdate(ctx, `UPDATE pca_cas SET cert_der = $1, chain_pem = $2, serial = $3, not_before = $4, not_after = $5,
		status = $6, last_state_change_at = $7 WHERE id = $8 AND status = $9 AND last_state_change_at = $10`,
		cert, chain, serial, store.Nanos(nb), store.Nanos(na), status, lc, c.ID, c.Status, store.Nanos(c.LastChange))
}

// updateCA sets status and revocation configuration.
func (s *Service) updateCA(ctx context.Context, c *caRow, status string, rev *RevocationConfiguration, now time.Time) error {
	defer s.invalidateCA(c.ID)
	lc := store.Nanos(c.LastChange)
	if status != c.Status {
		lc = store.Nanos(now)
	}
	revJSON := ""
	if rev != nil {
		revJSON = marshalJSON(rev)
	}
	return s.casUpdate(ctx, `UPDATE pca_cas SET status = $1, revocation_json = $2, last_state_change_at = $3
		WHERE id = $4 AND status = $5 AND last_state_change_at = $6`,
		status, revJSON, lc, c.ID, c.Status, store.Nanos(c.LastChange))
}

// markDeleted moves a CA to DELETED, remembering the status to restore.
func (s *Service) markDeleted(ctx context.Context, c *caRow, until, now time.Time) error {
	defer s.invalidateCA(c.ID)
	return s.casUpdate(ctx, `UPDATE pca_cas SET status = $1, prior_status = $2, restorable_until = $3, last_state_change_at = $4
		WHERE id = $5 AND status = $6 AND last_state_change_at = $7`,
		statusDeleted, c.Status, store.Nanos(until), store.Nanos(now), c.ID, c.Status, store.Nanos(c.LastChange))
}

// restore moves a DELETED CA back to its prior status.
func (s *Service) restore(ctx context.Context, c *caRow, now time.Time) error {
	defer s.invalidateCA(c.ID)
	return s.casUpdate(ctx, `UPDATE pca_cas SET status = $1, prior_status = '', restorable_until = 0, last_state_change_at = $2
		WHERE id = $3 AND status = $4 AND last_state_change_at = $5`,
		c.PriorStatus, store.Nanos(now), c.ID, statusDeleted, store.Nanos(c.LastChange))
}

// removeCAQueries delete every row naming a CA, the CA last. The foreign
// keys cascade too; naming the tables keeps removal complete should a
// table lose its cascade.
var removeCAQueries = []string{
	`DELETE FROM pca_certificates WHERE ca_id = $1`,
	`DELETE FROM pca_ca_tags WHERE ca_id = $1`,
	`DELETE FROM pca_ca_policies WHERE ca_id = $1`,
	`DELETE FROM pca_permissions WHERE ca_id = $1`,
	`DELETE FROM pca_crls WHERE ca_id = $1`,
	`DELETE FROM pca_audit_reports WHERE ca_id = $1`,
	`DELETE FROM pca_cas WHERE id = $1`,
}

// removeCA deletes a CA and everything stored for it for good: its rows
// in one transaction, then its audit report files and cached state.
func (s *Service) removeCA(ctx context.Context, id string) error {
	defer s.invalidateCA(id)
	var buckets []string
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		buckets = buckets[:0]
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT bucket FROM pca_audit_reports WHERE ca_id = $1`, id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var b string
			if err := rows.Scan(&b); err != nil {
				rows.Close()
				return err
			}
			buckets = append(buckets, b)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, q := range removeCAQueries {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.removeAuditFiles(id, buckets)
	s.rev.forgetCA(id)
	s.invalidatePolicy(id)
	return nil
}

// tags returns a CA's tags.
func (s *Service) tags(ctx context.Context, id string) (map[string]string, error) {
	rows, err := s.stmts.tags.QueryContext(ctx, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

// setTags adds or replaces tags, refusing a total above max.
func (s *Service) setTags(ctx context.Context, id string, tags map[string]string, max int) error {
	defer s.invalidateCA(id)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for k, v := range tags {
			if _, err := tx.ExecContext(ctx, `INSERT INTO pca_ca_tags (ca_id, tag_key, tag_value) VALUES ($1, $2, $3)
				ON CONFLICT (ca_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value`, id, k, v); err != nil {
				return err
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM pca_ca_tags WHERE ca_id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n > max {
			return errf(ErrTooManyTags, "The certificate authority would have %d tags; at most %d are allowed.", n, max)
		}
		return nil
	})
}

// removeTags deletes tags: a nil value removes the key whatever its value.
func (s *Service) removeTags(ctx context.Context, id string, tags []Tag) error {
	defer s.invalidateCA(id)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, t := range tags {
			var err error
			if t.Value == nil {
				_, err = tx.ExecContext(ctx, `DELETE FROM pca_ca_tags WHERE ca_id = $1 AND tag_key = $2`, id, t.Key)
			} else {
				_, err = tx.ExecContext(ctx, `DELETE FROM pca_ca_tags WHERE ca_id = $1 AND tag_key = $2 AND tag_value = $3`, id, t.Key, *t.Value)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}
