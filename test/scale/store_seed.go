package main

import (
	"context"
	"fmt"
	"time"

	"github.com/openpca/openpca/internal/store"
)

// seed copies the one pca certificate and the one ACM certificate that
// prepare created through the API n-1 times each, straight into the SQLite
// store of a stopped server: every copy is a complete row (DER, sealed key,
// chain) under a distinct serial, ARN and creation time, so the operations
// measured read rows like the ones issuance writes. SQLite only (printf).
func seed(ctx context.Context, dataDir string, st *state, n int) error {
	db, err := store.OpenSQLite(ctx, dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	t0 := time.Now()
	// Serials are 32 hex digits like issued ones; "5eed" keeps them apart
	// from random serials for all practical purposes.
	if _, err := db.ExecContext(ctx, `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM seq WHERE i < $1)
		INSERT INTO pca_certificates (ca_id, serial, issuer_principal, issuer_account, template_arn, subject,
			not_before, not_after, issued_at, der, idempotency_token, revoked_at, revocation_reason, revoked_by)
		SELECT ca_id, printf('5eed%028x', i), issuer_principal, issuer_account, template_arn, subject,
			not_before, not_after, issued_at - i * 1000000, der, '', 0, '', ''
		FROM pca_certificates, seq WHERE ca_id = $2 AND serial = $3`, n-1, st.CAID, st.PCASerial); err != nil {
		return fmt.Errorf("seed pca_certificates: %w", err)
	}
	fmt.Printf("seeded %d pca certificates in %s\n", n-1, time.Since(t0).Round(time.Second))
	t1 := time.Now()
	if _, err := db.ExecContext(ctx, `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM seq WHERE i < $1)
		INSERT INTO acm_certificates (id, arn, region, account_id, cert_type, domain_name, sans_json, key_algorithm,
			ca_arn, status, failure_reason, options_json, managed_by, requester_json, key_blob, cert_der, chain_pem,
			pca_cert_arn, serial, not_before, not_after, created_at, issued_at, imported_at, revoked_at,
			revocation_reason, exported, renewal_status, renewal_reason, renewal_updated_at, next_attempt_at,
			lease_until, idempotency_token)
		SELECT id || '-' || i, arn || '-' || i, region, account_id, cert_type, domain_name, sans_json, key_algorithm,
			ca_arn, status, failure_reason, options_json, managed_by, requester_json, key_blob, cert_der, chain_pem,
			ca_arn || '/certificate/' || printf('5eed%028x', i), serial, not_before, not_after, created_at - i * 1000000,
			issued_at, imported_at, revoked_at, revocation_reason, exported, renewal_status, renewal_reason,
			renewal_updated_at, next_attempt_at, lease_until, ''
		FROM acm_certificates, seq WHERE arn = $2`, n-1, st.ACMCert); err != nil {
		return fmt.Errorf("seed acm_certificates: %w", err)
	}
	fmt.Printf("seeded %d ACM certificates in %s\n", n-1, time.Since(t1).Round(time.Second))
	_, err = db.ExecContext(ctx, `ANALYZE`)
	return err
}

// seededSerial is the serial seed gave copy i.
func seededSerial(i int) string { return fmt.Sprintf("5eed%028x", i) }
