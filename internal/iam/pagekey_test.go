package iam

import (
	"bytes"
	"testing"
)

// Page tokens are signed with the database's key, so another server on
// the same database (here: the process key reset, as in a new process)
// accepts them. Not parallel: it resets package state.
func TestPageKeySharedThroughDatabase(t *testing.T) {
	e := newEnv(t)
	pages.SetKey(nil)
	NewStore(e.db, nil, nil, Config{}) // what a server does at start
	want, err := e.db.SharedKey(e.ctx, "iam_page_token_key")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pages.Key(), want) {
		t.Fatal("page tokens are not signed with the database's key")
	}
	m := sealMarker(pageScope("s"), "k")
	pages.SetKey(nil)                  // another process starts with its own key
	NewStore(e.db, nil, nil, Config{}) // what a server does at start
	if after, ok := openMarker(pageScope("s"), m); !ok || after != "k" {
		t.Fatalf("token refused by another server of the database: %q %v", after, ok)
	}
}
