package store_test

import (
	"context"
	"testing"

	"github.com/openpca/openpca/internal/store"
)

// Migration 0051 moves the trail of 0024 (records in one table, one index
// row per recipient in another) into one row per recipient holding the
// record: every event stays, for every account that saw it.
func TestTrailEntriesMigrationKeepsEvents(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old, err := store.OpenSQLiteAtForTest(ctx, dir, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO trail_records (event_time, event_id, record) VALUES (10, 'ev-1', '{"eventID":"ev-1"}'), (20, 'ev-2', '{"eventID":"ev-2"}')`,
		`INSERT INTO trail_events (account_id, region, event_time, event_id, event_name, event_source, username, access_key_id, read_only, resources) VALUES
			('111122223333', 'us-east-1', 10, 'ev-1', 'IssueCertificate', 'acm-pca.amazonaws.com', 'dev', 'AKIA1', 'false', 'res'),
			('222233334444', 'us-east-1', 10, 'ev-1', 'IssueCertificate', 'acm-pca.amazonaws.com', 'dev', 'AKIA1', 'false', 'res'),
			('111122223333', 'eu-west-1', 20, 'ev-2', 'CreateUser', 'iam.amazonaws.com', 'root', '', 'false', '')`,
	} {
		if _, err := old.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	db, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT account_id, region, event_id, event_name, username, access_key_id, resources, record
		FROM trail_entries ORDER BY account_id, region, event_time`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var a, r, id, name, user, key, res, rec string
		if err := rows.Scan(&a, &r, &id, &name, &user, &key, &res, &rec); err != nil {
			t.Fatal(err)
		}
		got = append(got, a+" "+r+" "+id+" "+name+" "+user+" "+key+" "+res+" "+rec)
	}
	want := []string{
		`111122223333 eu-west-1 ev-2 CreateUser root   {"eventID":"ev-2"}`,
		`111122223333 us-east-1 ev-1 IssueCertificate dev AKIA1 res {"eventID":"ev-1"}`,
		`222233334444 us-east-1 ev-1 IssueCertificate dev AKIA1 res {"eventID":"ev-1"}`,
	}
	if len(got) != len(want) {
		t.Fatalf("trail_entries = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %q, want %q", i, got[i], want[i])
		}
	}
	for _, table := range []string{"trail_events", "trail_records"} {
		if _, err := db.ExecContext(ctx, `SELECT 1 FROM `+table); err == nil {
			t.Errorf("%s still exists", table)
		}
	}
}
