package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRotateMasterKeyCLI: `openpca admin rotate-master-key` refuses beside
// a running server; stopped, it rotates; the restarted server serves TLS
// from the same internal CA and every earlier key signs; the old key no
// longer starts it.
func TestRotateMasterKeyCLI(t *testing.T) {
	requireTool(t, "aws")
	bin := buildBinary(t)
	dataDir := t.TempDir()
	state := "ROT_STATE=" + filepath.Join(t.TempDir(), "key")
	s := startServerArgs(t, bin, dataDir, []string{"--tls=on"})
	s.runScript(t, "rotate_cli.sh", state, "ARG=before")
	s.stop(t)

	oldKey, err := os.ReadFile(filepath.Join(dataDir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "admin", "rotate-master-key", "--data-dir", dataDir, "--generate").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Re-sealed") {
		t.Fatalf("rotate: %v\n%s", err, out)
	}
	t.Log(string(out))
	if kept, _ := os.ReadFile(filepath.Join(dataDir, "master.key.old")); string(kept) != string(oldKey) {
		t.Fatal("master.key.old is not the old key")
	}

	s2 := startServerArgs(t, bin, dataDir, []string{"--tls=on"})
	s2.runScript(t, "rotate_cli.sh", state, "ARG=after")
	s2.stop(t)

	cmd := exec.Command(bin, "serve", "--data-dir", dataDir, "--listen", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "OPENPCA_MASTER_KEY="+strings.TrimSpace(string(oldKey)))
	out, err = cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "does not match this data directory") {
		t.Fatalf("serve with the old key: %v\n%s", err, out)
	}
}
