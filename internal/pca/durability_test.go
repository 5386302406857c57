package pca

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/openpca/openpca/internal/pki"
	"github.com/openpca/openpca/internal/store"
)

func TestRestartAndNoPlaintextKeys(t *testing.T) {
	e := newEnv(t, Config{})
	root := e.activeRoot(pki.ECPrime256v1, 10)
	rsaRoot := e.activeRoot(pki.RSA2048, 10)
	leaf, err := e.issue(root, leafCSR(t, "keep.example.com"), pki.ECPrime256v1, "", days(30))
	if err != nil {
		t.Fatal(err)
	}
	before := e.get(root, leaf)
	keys := e.sealer.plain
	if len(keys) != 2 {
		t.Fatalf("sealed %d keys, want 2", len(keys))
	}

	e.reopen()
	for _, arn := range []string{root, rsaRoot} {
		if st := e.status(arn); st != statusActive {
			t.Fatalf("after restart %s is %s", arn, st)
		}
	}
	if after := e.get(root, leaf); after.Certificate != before.Certificate || after.CertificateChain != before.CertificateChain {
		t.Fatal("certificate changed across restart")
	}
	// The reopened key store unseals the stored key and still signs.
	if _, err := e.issue(rsaRoot, leafCSR(t, "after.example.com"), pki.RSA2048, "", days(30)); err != nil {
		t.Fatal(err)
	}
	postgres := e.db.Engine() == store.Postgres
	e.close()
	if postgres {
		return // the rest reads the SQLite files
	}

	var files [][]byte
	for _, name := range []string{store.FileName, store.FileName + "-wal"} {
		b, err := os.ReadFile(filepath.Join(e.dir, name))
		if err == nil {
			files = append(files, b)
		} else if !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	if len(files) == 0 || len(files[0]) == 0 {
		t.Fatal("no database file to inspect")
	}
	for i, der := range keys {
		pemKey := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
		body := strings.Join(strings.Split(string(pemKey), "\n")[1:3], "\n")
		needles := [][]byte{der, pemKey, []byte(body), []byte(base64.StdEncoding.EncodeToString(der))}
		for _, f := range files {
			for _, n := range needles {
				if bytes.Contains(f, n) {
					t.Fatalf("key %d found in plaintext in the database files", i)
				}
			}
		}
	}
}

func TestConcurrentIssueSharesCommits(t *testing.T) {
	e := newEnv(t, Config{})
	root := e.activeRoot(pki.ECPrime256v1, 10)
	csr := leafCSR(t, "many.example.com")
	commits0 := e.svc.Commits()
	const n = 200
	arns := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { arns[i], errs[i] = e.issue(root, csr, pki.ECPrime256v1, "", days(30)) })
	}
	wg.Wait()
	seen := map[string]bool{}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("issue %d: %v", i, errs[i])
		}
		if seen[arns[i]] {
			t.Fatalf("duplicate ARN %s", arns[i])
		}
		seen[arns[i]] = true
	}
	// Committed: every ARN is readable, and the table holds them all.
	for arn := range seen {
		e.get(root, arn)
	}
	if got := e.certCount(root); got != n+1 { // + the root's own certificate
		t.Fatalf("%d certificates stored, want %d", got, n+1)
	}
	commits := e.svc.Commits() - commits0
	t.Logf("%d certificates in %d commits", n, commits)
	if commits >= n {
		t.Fatalf("%d commits for %d certificates: no group commit", commits, n)
	}
}

func TestSerialCollisionRetries(t *testing.T) {
	e := newEnv(t, Config{})
	root := e.activeRoot(pki.ECPrime256v1, 10)
	arn, err := e.issue(root, leafCSR(t, "a.example.com"), pki.ECPrime256v1, "", days(30))
	if err != nil {
		t.Fatal(err)
	}
	serial := arn[strings.LastIndexByte(arn, '/')+1:]
	_, _, id, _ := parseCAARN(root)
	// The batcher gives a duplicate row back as errSerialTaken, alone.
	row := &certRow{CAID: id, Serial: serial, IssuerPrincipal: "p", IssuerAccount: acct, TemplateARN: "t", DER: []byte{1}}
	fresh := &certRow{CAID: id, Serial: "01", IssuerPrincipal: "p", IssuerAccount: acct, TemplateARN: "t", DER: []byte{1}}
	verdicts, err := insertCerts(bg, e.db, []*certRow{row, fresh})
	if err != nil {
		t.Fatal(err)
	}
	if verdicts[0] != errSerialTaken || verdicts[1] != nil {
		t.Fatalf("verdicts %v", verdicts)
	}
	if got, _ := e.svc.getCert(bg, id, serial); len(got) < 10 {
		t.Fatal("the original certificate was overwritten")
	}
}

// One batch mixing a stored serial, a serial twice within the batch and
// fresh rows gives each row its own verdict, on both engines (PostgreSQL
// inserts the batch in one statement): the first of two equal serials
// wins, nothing stored is overwritten.
func TestInsertCertsVerdictsPerRow(t *testing.T) {
	e := newEnv(t, Config{})
	root := e.activeRoot(pki.ECPrime256v1, 10)
	arn, err := e.issue(root, leafCSR(t, "a.example.com"), pki.ECPrime256v1, "", days(30))
	if err != nil {
		t.Fatal(err)
	}
	stored := arn[strings.LastIndexByte(arn, '/')+1:]
	_, _, id, _ := parseCAARN(root)
	row := func(serial string, der byte) *certRow {
		return &certRow{CAID: id, Serial: serial, IssuerPrincipal: "p", IssuerAccount: acct, TemplateARN: "t", DER: []byte{der}}
	}
	rows := []*certRow{row("0a", 1), row(stored, 2), row("0b", 3), row("0a", 4), row("0c", 5)}
	verdicts, err := insertCerts(bg, e.db, rows)
	if err != nil {
		t.Fatal(err)
	}
	want := []error{nil, errSerialTaken, nil, errSerialTaken, nil}
	for i := range want {
		if verdicts[i] != want[i] {
			t.Fatalf("row %d: verdict %v, want %v (all: %v)", i, verdicts[i], want[i], verdicts)
		}
	}
	if got, _ := e.svc.getCert(bg, id, "0a"); len(got) != 1 || got[0] != 1 {
		t.Fatalf("serial 0a holds %v, want the batch's first row", got)
	}
	if got, _ := e.svc.getCert(bg, id, stored); len(got) < 10 {
		t.Fatal("the stored certificate was overwritten")
	}
	for _, s := range []string{"0b", "0c"} {
		if got, _ := e.svc.getCert(bg, id, s); len(got) != 1 {
			t.Fatalf("serial %s not stored", s)
		}
	}
}

func TestCloseCommitsQueued(t *testing.T) {
	e := newEnv(t, Config{})
	root := e.activeRoot(pki.ECPrime256v1, 10)
	e.svc.Close()
	_, err := e.issue(root, leafCSR(t, "late.example.com"), pki.ECPrime256v1, "", days(30))
	wantKind(t, err, ErrRequestFailed)
}
