package acm

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/store"
)

// certRow is one managed (or imported) certificate as stored.
type certRow struct {
	ID, ARN, Region, Account string
	Type                     string // PRIVATE | IMPORTED
	Domain                   string
	SANs                     []string
	KeyAlg                   string // request enum: RSA_2048, EC_prime256v1 …
	CAArn                    string
	Status, FailureReason    string
	Options                  CertificateOptions
	ManagedBy                string
	Requester                *authz.Principal
	KeyBlob, CertDER         []byte
	ChainPEM, PCACertArn     string
	Serial                   string

	NotBefore, NotAfter, CreatedAt, IssuedAt, ImportedAt, RevokedAt time.Time
	RevocationReason                                                string
	Exported                                                        bool
	RenewalStatus, RenewalReason                                    string
	RenewalUpdatedAt, NextAttemptAt, LeaseUntil                     time.Time
	Token                                                           string
}

const certColumns = `id, arn, region, account_id, cert_type, domain_name, sans_json, key_algorithm, ca_arn,
	status, failure_reason, options_json, managed_by, requester_json, key_blob, cert_der, chain_pem,
	pca_cert_arn, serial, not_before, not_after, created_at, issued_at, imported_at, revoked_at,
	revocation_reason, exported, renewal_status, renewal_reason, renewal_updated_at, next_attempt_at,
	lease_until, idempotency_token`

type scanner = store.Scanner

func scanCert(sc scanner) (*certRow, error) {
	var r certRow
	var sans, opts, req string
	var nb, na, ca, ia, ima, ra, ru, nx, lu, exp int64
	err := sc.Scan(&r.ID, &r.ARN, &r.Region, &r.Account, &r.Type, &r.Domain, &sans, &r.KeyAlg, &r.CAArn,
		&r.Status, &r.FailureReason, &opts, &r.ManagedBy, &req, &r.KeyBlob, &r.CertDER, &r.ChainPEM,
		&r.PCACertArn, &r.Serial, &nb, &na, &ca, &ia, &ima, &ra,
		&r.RevocationReason, &exp, &r.RenewalStatus, &r.RenewalReason, &ru, &nx, &lu, &r.Token)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(sans), &r.SANs); err != nil {
		return nil, err
	}
	if opts != "" {
		if err := json.Unmarshal([]byte(opts), &r.Options); err != nil {
			return nil, err
		}
	}
	if req != "" {
		r.Requester = &authz.Principal{}
		if err := json.Unmarshal([]byte(req), r.Requester); err != nil {
			return nil, err
		}
	}
	r.NotBefore, r.NotAfter, r.CreatedAt = store.Time(nb), store.Time(na), store.Time(ca)
	r.IssuedAt, r.ImportedAt, r.RevokedAt = store.Time(ia), store.Time(ima), store.Time(ra)
	r.RenewalUpdatedAt, r.NextAttemptAt, r.LeaseUntil = store.Time(ru), store.Time(nx), store.Time(lu)
	r.Exported = exp != 0
	return &r, nil
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("acm: marshal: " + err.Error()) // only plain structs and slices
	}
	return string(b)
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (s *Service) insertCert(ctx context.Context, tx *sql.Tx, r *certRow, tags []Tag) error {
	req := ""
	if r.Requester != nil {
		req = mustJSON(r.Requester)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO acm_certificates (`+certColumns+`) VALUES
		($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29,$30,$31,$32,$33)`,
		r.ID, r.ARN, r.Region, r.Account, r.Type, r.Domain, mustJSON(r.SANs), r.KeyAlg, r.CAArn,
		r.Status, r.FailureReason, mustJSON(r.Options), r.ManagedBy, req, r.KeyBlob, r.CertDER, r.ChainPEM,
		r.PCACertArn, r.Serial, store.Nanos(r.NotBefore), store.Nanos(r.NotAfter), store.Nanos(r.CreatedAt),
		store.Nanos(r.IssuedAt), store.Nanos(r.ImportedAt), store.Nanos(r.RevokedAt),
		r.RevocationReason, boolInt(r.Exported), r.RenewalStatus, r.RenewalReason, store.Nanos(r.RenewalUpdatedAt),
		store.Nanos(r.NextAttemptAt), store.Nanos(r.LeaseUntil), r.Token)
	if err != nil {
		return err
	}
	return putTags(ctx, tx, r.ID, tags)
}

// saveCert writes every mutable column of r (the worker's and the
// operations' one write path).
func (s *Service) saveCert(ctx context.Context, q execer, r *certRow) error {
	_, err := q.ExecContext(ctx, `UPDATE acm_certificates SET status=$2, failure_reason=$3, options_json=$4,
		key_blob=$5, cert_der=$6, chain_pem=$7, pca_cert_arn=$8, serial=$9, not_before=$10, not_after=$11,
		issued_at=$12, revoked_at=$13, revocation_reason=$14, exported=$15, renewal_status=$16,
		renewal_reason=$17, renewal_updated_at=$18, next_attempt_at=$19, lease_until=$20 WHERE id=$1`,
		r.ID, r.Status, r.FailureReason, mustJSON(r.Options), r.KeyBlob, r.CertDER, r.ChainPEM, r.PCACertArn,
		r.Serial, store.Nanos(r.NotBefore), store.Nanos(r.NotAfter), store.Nanos(r.IssuedAt),
		store.Nanos(r.RevokedAt), r.RevocationReason, boolInt(r.Exported), r.RenewalStatus, r.RenewalReason,
		store.Nanos(r.RenewalUpdatedAt), store.Nanos(r.NextAttemptAt), store.Nanos(r.LeaseUntil))
	return err
}

// saveWorked stores a batch the worker claimed with lease until, in one
// transaction, skipping each row whose lease is no longer this server's:
// it stalled past until and another server took the row over, whose
// result stands.
func (s *Service) saveWorked(ctx context.Context, rows []*certRow, until time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, r := range rows {
			var held int
			err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM acm_certificates WHERE id=$1 AND lease_holder=$2 AND lease_until=$3`,
				r.ID, s.holder, store.Nanos(until)).Scan(&held)
			if err != nil {
				return err
			}
			if held == 0 {
				s.cfg.Logger.Warn("acm: lease lost before the result was stored; another server took the certificate over", "certificate", r.ARN)
				continue
			}
			if err := s.saveCert(ctx, tx, r); err != nil {
				return err
			}
		}
		return nil
	})
}

// replaceImported puts a re-imported certificate in place of the old one
// under the same ARN, keeping its tags.
func (s *Service) replaceImported(ctx context.Context, q execer, r *certRow) error {
	_, err := q.ExecContext(ctx, `UPDATE acm_certificates SET domain_name=$2, sans_json=$3, key_algorithm=$4,
		key_blob=$5, cert_der=$6, chain_pem=$7, not_before=$8, not_after=$9, imported_at=$10 WHERE id=$1`,
		r.ID, r.Domain, mustJSON(r.SANs), r.KeyAlg, r.KeyBlob, r.CertDER, r.ChainPEM,
		store.Nanos(r.NotBefore), store.Nanos(r.NotAfter), store.Nanos(r.ImportedAt))
	return err
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// getCert returns the certificate with arn, or nil.
func (s *Service) getCert(ctx context.Context, arn string) (*certRow, error) {
	r, err := scanCert(s.db.QueryRowContext(ctx, `SELECT `+certColumns+` FROM acm_certificates WHERE arn=$1`, arn))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return r, err
}

func (s *Service) certByToken(ctx context.Context, account, region, token string, since time.Time) (string, error) {
	var arn string
	err := s.db.QueryRowContext(ctx, `SELECT arn FROM acm_certificates WHERE account_id=$1 AND region=$2
		AND idempotency_token=$3 AND created_at >= $4 ORDER BY created_at LIMIT 1`,
		account, region, token, store.Nanos(since)).Scan(&arn)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return arn, err
}

// listQuery is one page of ListCertificates as SQL: the filters that are
// columns, in the order AWS lists (created_at, id), after a cursor.
type listQuery struct {
	account, region string
	keyTypes        []string
	statuses        []string // as callers see them: EXPIRED is ISSUED past not_after
	managedBy       string
	now             time.Time
	desc            bool
	afterAt         int64 // cursor (created_at nanoseconds, id); afterID "" = from the start
	afterID         string
	limit           int
}

// listPage answers q from the account index, reading at most q.limit rows.
func (s *Service) listPage(ctx context.Context, q listQuery) ([]*certRow, error) {
	var where strings.Builder
	args := []any{q.account, q.region}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where.WriteString("account_id=$1 AND region=$2")
	if len(q.keyTypes) > 0 {
		ph := make([]string, len(q.keyTypes))
		for i, k := range q.keyTypes {
			ph[i] = arg(k)
		}
		where.WriteString(" AND key_algorithm IN (" + strings.Join(ph, ",") + ")")
	}
	if q.managedBy != "" {
		where.WriteString(" AND managed_by=" + arg(q.managedBy))
	}
	if len(q.statuses) > 0 {
		var or []string
		now := ""
		for _, st := range q.statuses {
			switch st {
			case statusExpired:
				if now == "" {
					now = arg(store.Nanos(q.now))
				}
				or = append(or, "status='"+statusExpired+"' OR (status='"+statusIssued+"' AND not_after<>0 AND not_after<="+now+")")
			case statusIssued:
				if now == "" {
					now = arg(store.Nanos(q.now))
				}
				or = append(or, "(status='"+statusIssued+"' AND (not_after=0 OR not_after>"+now+"))")
			default:
				or = append(or, "status="+arg(st))
			}
		}
		where.WriteString(" AND (" + strings.Join(or, " OR ") + ")")
	}
	cmp, dir := ">", "ASC"
	if q.desc {
		cmp, dir = "<", "DESC"
	}
	if q.afterID != "" {
		at, id := arg(q.afterAt), arg(q.afterID)
		where.WriteString(" AND (created_at" + cmp + at + " OR (created_at=" + at + " AND id" + cmp + id + "))")
	}
	return s.queryCerts(ctx, `SELECT `+certColumns+` FROM acm_certificates WHERE `+where.String()+
		` ORDER BY created_at `+dir+`, id `+dir+` LIMIT `+arg(q.limit), args...)
}

// healthCertsOfCA returns the issued private certificates a CA signs, in
// any account, with only the columns renewal health needs (no keys,
// certificates or JSON to decode: a CA may sign tens of thousands). With a
// limit > 0, only the first limit to expire.
func (s *Service) healthCertsOfCA(ctx context.Context, caARN string, limit int) ([]*certRow, error) {
	order, args := ` ORDER BY account_id, created_at, id`, []any{caARN, typePrivate, statusIssued}
	if limit > 0 {
		// The health index's own order after not_after (id is unique
		// there): ties on not_after, as from bulk issuance, need no sort.
		order, args = ` ORDER BY not_after, account_id, region, key_algorithm, renewal_status, exported, next_attempt_at, id LIMIT $4`, append(args, limit)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, arn, region, account_id, key_algorithm, not_after, exported,
		renewal_status, renewal_reason, next_attempt_at FROM acm_certificates
		WHERE ca_arn=$1 AND cert_type=$2 AND status=$3`+order, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*certRow
	for rows.Next() {
		r := &certRow{CAArn: caARN, Type: typePrivate, Status: statusIssued}
		var na, nx, exp int64
		if err := rows.Scan(&r.ID, &r.ARN, &r.Region, &r.Account, &r.KeyAlg, &na, &exp, &r.RenewalStatus, &r.RenewalReason, &nx); err != nil {
			return nil, err
		}
		r.NotAfter, r.NextAttemptAt, r.Exported = store.Time(na), store.Time(nx), exp != 0
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *Service) queryCerts(ctx context.Context, query string, args ...any) ([]*certRow, error) {
	return store.QueryAll(ctx, s.db, scanCert, query, args...)
}

func (s *Service) countCerts(ctx context.Context, account, region string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM acm_certificates WHERE account_id=$1 AND region=$2`,
		account, region).Scan(&n)
	return n, err
}

// dueQuery is the due set: rows whose work is due at $1 and whose lease is
// free, oldest first, through the partial index acm_certificates_due.
const dueQuery = `SELECT ` + certColumns + ` FROM acm_certificates
	WHERE next_attempt_at > 0 AND next_attempt_at <= $1 AND lease_until <= $1
	ORDER BY next_attempt_at LIMIT $2`

// claimDue takes up to limit rows whose work is due at now and whose lease
// is free, leasing them until now+lease; none when nothing is due. The
// lease, not a process lock, keeps two servers from working on one
// certificate: a row whose lease another worker took in between is skipped.
func (s *Service) claimDue(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*certRow, error) {
	var claimed []*certRow
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		claimed = claimed[:0]
		rows, err := tx.QueryContext(ctx, dueQuery, store.Nanos(now), limit)
		if err != nil {
			return err
		}
		var due []*certRow
		for rows.Next() {
			r, err := scanCert(rows)
			if err != nil {
				rows.Close()
				return err
			}
			due = append(due, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		until := store.Nanos(now.Add(lease))
		for _, r := range due {
			res, err := tx.ExecContext(ctx, `UPDATE acm_certificates SET lease_until=$2, lease_holder=$4 WHERE id=$1 AND lease_until <= $3`,
				r.ID, until, store.Nanos(now), s.holder)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				continue // leased by another worker since the SELECT
			}
			r.LeaseUntil = now.Add(lease)
			claimed = append(claimed, r)
		}
		return nil
	})
	return claimed, err
}

func (s *Service) deleteCert(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM acm_certificates WHERE id=$1`, id)
	return err
}

func putTags(ctx context.Context, q execer, id string, tags []Tag) error {
	for _, t := range tags {
		if _, err := q.ExecContext(ctx, `INSERT INTO acm_certificate_tags (cert_id, tag_key, tag_value) VALUES ($1,$2,$3)
			ON CONFLICT (cert_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value`, id, t.Key, t.Value); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) removeTags(ctx context.Context, id string, tags []Tag) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, t := range tags {
			// A tag given with a value is removed only when the value matches.
			if _, err := tx.ExecContext(ctx, `DELETE FROM acm_certificate_tags WHERE cert_id=$1 AND tag_key=$2
				AND ($3 = '' OR tag_value=$3)`, id, t.Key, t.Value); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Service) tags(ctx context.Context, id string) ([]Tag, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT tag_key, tag_value FROM acm_certificate_tags WHERE cert_id=$1 ORDER BY tag_key`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Tag
	for rows.Next() {
		var t Tag
		if err := rows.Scan(&t.Key, &t.Value); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (s *Service) addTags(ctx context.Context, id string, tags []Tag) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return putTags(ctx, tx, id, tags) })
}

func (s *Service) daysBeforeExpiry(ctx context.Context, account, region string) (int32, bool, error) {
	var d int32
	err := s.db.QueryRowContext(ctx, `SELECT days_before_expiry FROM acm_account_config WHERE account_id=$1 AND region=$2`,
		account, region).Scan(&d)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return d, err == nil, err
}

func (s *Service) putDaysBeforeExpiry(ctx context.Context, account, region string, d int32) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO acm_account_config (account_id, region, days_before_expiry) VALUES ($1,$2,$3)
		ON CONFLICT (account_id, region) DO UPDATE SET days_before_expiry = excluded.days_before_expiry`, account, region, d)
	return err
}
