package trail

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/store"
	"github.com/openpca/openpca/internal/store/storetest"
)

type allowAll struct{}

func (allowAll) Check(context.Context, *authz.Request) error { return nil }

func caller(account string) *authz.Caller {
	return &authz.Caller{Principal: authz.Principal{Type: authz.TypeAccount, AccountID: account,
		ARN: "arn:aws:iam::" + account + ":root"}, Region: "us-east-1"}
}

// lookupAll pages through every event account sees.
func lookupAll(t *testing.T, s *Service, account string) []Found {
	t.Helper()
	var out []Found
	in := &LookupInput{}
	for {
		page, err := s.Lookup(context.Background(), caller(account), in)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Events...)
		if page.NextToken == "" {
			return out
		}
		in.NextToken = page.NextToken
	}
}

// TestInsertBatchAndLookup: a batch of many events is stored once, a
// retried batch adds nothing, and each recipient pages through its events
// with itself as recipient.
func TestInsertBatchAndLookup(t *testing.T) {
	db := storetest.Open(t)
	clk := clock.NewFake(time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC))
	s := New(db, allowAll{}, clk, nil, nil)
	defer s.Close()
	const n = 2*DefaultMaxResults + 5
	ca := "arn:aws:acm-pca:us-east-1:222233334444:certificate-authority/11111111-2222-3333-4444-555555555555"
	var rows []row
	for i := range n {
		ev := &Event{ID: fmt.Sprintf("ev-%03d", i), Time: clk.Now().Add(-time.Duration(n-i) * time.Millisecond), Region: "us-east-1",
			Source: "acm-pca.amazonaws.com", Name: "IssueCertificate", Caller: caller("111122223333"),
			Request:   map[string]any{"certificateAuthorityArn": ca},
			Resources: []Resource{{Type: "AWS::ACMPCA::CertificateAuthority", Name: ca}}}
		if i%2 == 0 {
			ev.Recipients = []string{"222233334444"}
		}
		rows = append(rows, s.rowsOf(ev)...)
	}
	for range 2 {
		if err := insertRows(context.Background(), db, rows); err != nil {
			t.Fatal(err)
		}
	}
	if got := lookupAll(t, s, "111122223333"); len(got) != n {
		t.Fatalf("caller sees %d events, want %d", len(got), n)
	}
	owner := lookupAll(t, s, "222233334444")
	if len(owner) != (n+1)/2 {
		t.Fatalf("owner sees %d events, want %d", len(owner), (n+1)/2)
	}
	var rec struct {
		EventID, RecipientAccountID, SharedEventID string
		RequestParameters                          map[string]any
	}
	if err := json.Unmarshal([]byte(owner[0].Record), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.RecipientAccountID != "222233334444" || rec.SharedEventID != rec.EventID || rec.RequestParameters["certificateAuthorityArn"] != ca {
		t.Errorf("owner's record = %+v", rec)
	}
	if owner[0].ID != fmt.Sprintf("ev-%03d", n-1) || len(owner[0].Resources) != 1 || owner[0].Resources[0].Name != ca {
		t.Errorf("newest owner event = %+v", owner[0])
	}
}

// TestAdoptMain: events an older version wrote into the main SQLite
// database move to the trail's own file once, and stay findable.
func TestAdoptMain(t *testing.T) {
	if storetest.UsePostgres() {
		t.Skip("the trail has its own file on SQLite only")
	}
	ctx := context.Background()
	dir := t.TempDir()
	clk := clock.NewFake(time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC))
	main, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer main.Close()
	old := New(main, allowAll{}, clk, nil, nil)
	old.Record(&Event{ID: "old-1", Time: clk.Now(), Region: "us-east-1", Source: "iam.amazonaws.com", Name: "CreateUser",
		Caller: caller("111122223333"), Recipients: []string{"222233334444"}})
	old.Close()

	tdb, err := store.OpenTrailSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tdb.Close()
	if n, err := AdoptMain(ctx, tdb, main.Path()); err != nil || n != 2 {
		t.Fatalf("AdoptMain = %d, %v; want 2 rows", n, err)
	}
	if n, err := AdoptMain(ctx, tdb, main.Path()); err != nil || n != 0 {
		t.Fatalf("second AdoptMain = %d, %v; want 0", n, err)
	}
	s := New(tdb, allowAll{}, clk, nil, nil)
	defer s.Close()
	for _, acct := range []string{"111122223333", "222233334444"} {
		if got := lookupAll(t, s, acct); len(got) != 1 || got[0].ID != "old-1" {
			t.Errorf("%s sees %+v after the move", acct, got)
		}
	}
	left := New(main, allowAll{}, clk, nil, nil)
	defer left.Close()
	if got := lookupAll(t, left, "111122223333"); len(got) != 0 {
		t.Errorf("the main database still holds %d events", len(got))
	}
}

// TestPruneByAccountAndRegion: pruning walks every (account, region) of
// the key and deletes each one's chunks past the retention, keeping the
// rest. Events are written as they happen, a batch for each moment.
func TestPruneByAccountAndRegion(t *testing.T) {
	db := storetest.Open(t)
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	clk := clock.NewFake(now)
	s := New(db, allowAll{}, clk, nil, nil)
	defer s.Close()
	kept := map[string]int{}
	for k, age := range []time.Duration{Retention + time.Hour, Retention - time.Hour, time.Minute} {
		var rows []row
		for i, acct := range []string{"111122223333", "222233334444", "333344445555"} {
			for j, region := range []string{"eu-west-1", "us-east-1"} {
				ev := &Event{ID: fmt.Sprintf("ev-%d-%d-%d", i, j, k), Time: now.Add(-age), Region: region,
					Source: "iam.amazonaws.com", Name: "CreateUser", Caller: caller(acct)}
				rows = append(rows, s.rowsOf(ev)...)
				if age < Retention {
					kept[acct+" "+region]++
				}
			}
		}
		if err := insertRows(context.Background(), db, rows); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.Prune(context.Background())
	if err != nil || n != 6 {
		t.Fatalf("Prune = %d, %v; want 6 chunks deleted", n, err)
	}
	for key, want := range kept {
		acct, region, _ := strings.Cut(key, " ")
		got, err := queryRows(context.Background(), db, acct, region, now.Add(-2*Retention), now, "", "", nil, 100)
		if err != nil || len(got) != want {
			t.Errorf("%s keeps %d events (%v), want %d", key, len(got), err, want)
		}
	}
	if n, err := s.Prune(context.Background()); err != nil || n != 0 {
		t.Errorf("second Prune = %d, %v; want 0", n, err)
	}
}
