package integration

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/acmpca"

	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/server"
	"github.com/openpca/openpca/internal/store"
	"github.com/openpca/openpca/internal/store/storetest"
)

// TestBackupUnderLoadRestores: a backup taken while four clients issue
// certificates, restored into a new directory and served with the same
// master key, holds every certificate acknowledged before the backup began,
// byte for byte; served with another master key, the restored data signs
// nothing.
func TestBackupUnderLoadRestores(t *testing.T) {
	if storetest.UsePostgres() {
		t.Skip("admin backup copies the embedded SQLite store; PostgreSQL is backed up with pg_dump (docs/operations.md)")
	}
	r := newRig(t, "")
	root := creds{key: mgmtKeyID, secret: mgmtSecret}
	c := r.pca(root)
	ca := activeCA(t, c)
	csr := leafCSR(t)

	var mu sync.Mutex
	acked := map[string][]byte{} // certificate ARN → PEM as first fetched
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				arn, err := issue(c, ca, "", csr)
				if err != nil {
					t.Error(err)
					return
				}
				got, err := c.GetCertificate(context.Background(), &acmpca.GetCertificateInput{CertificateAuthorityArn: &ca, CertificateArn: &arn})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acked[arn] = []byte(*got.Certificate)
				mu.Unlock()
			}
		}()
	}
	waitFor := func(n int) {
		for {
			mu.Lock()
			l := len(acked)
			mu.Unlock()
			if l >= n || t.Failed() {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitFor(20)
	mu.Lock()
	before := make(map[string][]byte, len(acked))
	for k, v := range acked {
		before[k] = v
	}
	mu.Unlock()
	file := filepath.Join(t.TempDir(), "backup.tar.gz")
	if _, err := store.Backup(context.Background(), r.dataDir, file); err != nil {
		t.Fatal(err)
	}
	waitFor(len(before) + 10) // load kept running through the backup
	close(stop)
	wg.Wait()
	r.stop()

	restored := filepath.Join(t.TempDir(), "restored")
	if _, err := store.Restore(context.Background(), file, restored); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(restored, keystore.MasterKeyFile)); !os.IsNotExist(err) {
		t.Fatalf("the backup carried the master key: %v", err)
	}
	key, err := os.ReadFile(filepath.Join(r.dataDir, keystore.MasterKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(restored, keystore.MasterKeyFile), key, 0o600); err != nil {
		t.Fatal(err)
	}
	r2 := newRig(t, restored)
	c2 := r2.pca(root)
	for arn, pem := range before {
		got, err := c2.GetCertificate(context.Background(), &acmpca.GetCertificateInput{CertificateAuthorityArn: &ca, CertificateArn: &arn})
		if err != nil {
			t.Fatalf("acknowledged %s missing after restore: %v", arn, err)
		}
		if !bytes.Equal([]byte(*got.Certificate), pem) {
			t.Fatalf("%s differs after restore", arn)
		}
	}
	if _, err := issue(c2, ca, "", csr); err != nil {
		t.Fatalf("restored CA with its master key cannot issue: %v", err)
	}
	r2.stop()

	// Without the master key the restored copy refuses to start (the key
	// check value), so nothing sealed by the old key can be used, and no
	// new key is made over it.
	keyless := filepath.Join(t.TempDir(), "keyless")
	if _, err := store.Restore(context.Background(), file, keyless); err != nil {
		t.Fatal(err)
	}
	app, err := server.Open(context.Background(), server.Config{DataDir: keyless})
	if err == nil {
		app.Close()
		t.Fatal("a restore without its master key started")
	}
	if !strings.Contains(err.Error(), "master key not found") {
		t.Fatalf("start without the master key: %v", err)
	}
	if _, statErr := os.Stat(filepath.Join(keyless, "master.key")); !os.IsNotExist(statErr) {
		t.Fatalf("a new master key was written over the restore: %v", statErr)
	}
}
