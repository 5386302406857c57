package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/openpca/openpca/internal/store"
	"github.com/openpca/openpca/internal/store/storetest"
)

// Migration 0051 moves the trail of 0024 (records in one table, one index
// row per recipient in another) into chunks, one per event and recipient:
// every event stays, for every account that saw it, with its attributes
// and record.
func TestTrailChunksMigrationKeepsEvents(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	database := storetest.Database(t)
	old, err := store.OpenAtForTest(ctx, database, dir, 50)
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

	db, err := store.Open(ctx, database, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT account_id, region, last_time, chunk_id, first_time, events
		FROM trail_chunks ORDER BY account_id, region, last_time`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var a, r, id string
		var last, first int64
		var events []byte
		if err := rows.Scan(&a, &r, &last, &id, &first, &events); err != nil {
			t.Fatal(err)
		}
		// One event per chunk, one JSON line (the trail's chunk format).
		var e struct {
			ID, N, S, U, K, RO, Res string
			T                       int64
			Rec                     json.RawMessage
		}
		if !bytes.HasSuffix(events, []byte("\n")) || bytes.Count(events, []byte("\n")) != 1 {
			t.Fatalf("chunk %s: %q is not one line", id, events)
		}
		if err := json.Unmarshal(events, &e); err != nil {
			t.Fatalf("chunk %s: %v", id, err)
		}
		got = append(got, fmt.Sprintf("%s %s %d %s %d %s %d %s %s %s %s %s %s", a, r, last, id, first, e.ID, e.T, e.N, e.U, e.K, e.Res, e.RO, e.Rec))
	}
	want := []string{
		`111122223333 eu-west-1 20 ev-2 20 ev-2 20 CreateUser root   false {"eventID":"ev-2"}`,
		`111122223333 us-east-1 10 ev-1 10 ev-1 10 IssueCertificate dev AKIA1 res false {"eventID":"ev-1"}`,
		`222233334444 us-east-1 10 ev-1 10 ev-1 10 IssueCertificate dev AKIA1 res false {"eventID":"ev-1"}`,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("trail_chunks =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, table := range []string{"trail_events", "trail_records"} {
		if _, err := db.ExecContext(ctx, `SELECT 1 FROM `+table); err == nil {
			t.Errorf("%s still exists", table)
		}
	}
}
