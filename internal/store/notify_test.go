package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/store"
	"github.com/openpca/openpca/internal/store/storetest"
)

// A notification sent through one server reaches a listener of another.
func TestPostgresNotifyReachesOtherServers(t *testing.T) {
	url := storetest.PostgresURL(t)
	ctx := context.Background()
	a, err := store.Open(ctx, url, "")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := store.Open(ctx, url, "")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got := make(chan string, 10)
	b.Listen("test_channel", func(p string) { got <- p })
	// The listener connects asynchronously: send until one arrives.
	deadline := time.After(10 * time.Second)
	for {
		if err := a.Notify(ctx, "test_channel", "ca-1"); err != nil {
			t.Fatal(err)
		}
		select {
		case p := <-got:
			if p == "" {
				continue // the drop-everything call once listening
			}
			if p != "ca-1" {
				t.Fatalf("payload %q", p)
			}
			return
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatal("no notification arrived")
		}
	}
}

// Once its first LISTEN runs, a listener hears "" (drop everything): what
// the caller cached before then missed every notification sent meanwhile.
func TestPostgresListenDropsOnceListening(t *testing.T) {
	db, err := store.Open(context.Background(), storetest.PostgresURL(t), "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := make(chan string, 10)
	db.Listen("test_channel", func(p string) { got <- p })
	select {
	case p := <-got:
		if p != "" {
			t.Fatalf("payload %q, want the drop-everything call", p)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no drop-everything call once listening")
	}
}
