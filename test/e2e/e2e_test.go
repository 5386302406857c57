// Package e2e runs the real binary and drives it with the aws CLI and boto3
// that the machine image ships, using only what `openpca serve` prints.
package e2e

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/openpca/openpca/test/testserver"
)

// server is a started `openpca serve` process.
type server struct {
	*testserver.Proc
	dataDir  string
	endpoint string
	exports  []string
	bin      string
}

func buildBinary(t *testing.T) string { return testserver.Binary(t) }

func TestMain(m *testing.M) { testserver.Main(m) }

func startServer(t *testing.T, bin, dataDir string, env ...string) *server {
	t.Helper()
	return startServerArgs(t, bin, dataDir, nil, env...)
}

// startServerArgs is startServer with extra serve flags; it waits for the
// profile and region export lines.
func startServerArgs(t *testing.T, bin, dataDir string, args []string, env ...string) *server {
	t.Helper()
	p := testserver.Start(t, bin, dataDir, args, env, 2)
	return &server{Proc: p, dataDir: dataDir, endpoint: p.Endpoint, exports: p.Exports, bin: bin}
}

func (s *server) stop(t *testing.T) { t.Helper(); s.Stop(t) }

// runScript runs a bash script after evaluating the server's export lines.
func (s *server) runScript(t *testing.T, script string, env ...string) string {
	t.Helper()
	// Generous: each aws CLI call costs seconds on a loaded 2-core machine.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", script)
	// Only what the server printed, plus the basics; no AWS_* from the host.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"OPENPCA_BIN=" + s.bin, "OPENPCA_DATA_DIR=" + s.dataDir, "OPENPCA_ENDPOINT=" + s.endpoint,
		"OPENPCA_EXPORTS=" + strings.Join(s.exports, "\n")}
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s failed: %v\n%s", script, err, out)
	}
	return string(out)
}

func requireTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s is not installed on this machine; the end-to-end CLI test needs it", name)
	}
}

func TestAWSCLIWithPrintedExports(t *testing.T) {
	requireTool(t, "aws")
	bin := buildBinary(t)
	dataDir := t.TempDir()
	s := startServer(t, bin, dataDir)
	out := s.runScript(t, "cli_basics.sh")
	t.Log(out)

	// Restart on the same data dir: nothing regenerated, the same profiles work.
	s.stop(t)
	s2 := startServer(t, bin, dataDir)
	s2.runScript(t, "cli_after_restart.sh")
	s2.stop(t)
}

// TestScripts runs each end-to-end script against a fresh server, with
// only what the server printed. A script whose tools are missing is
// skipped with the reason.
func TestScripts(t *testing.T) {
	cases := []struct {
		script string
		tools  []string
		module string // a python module the script needs
		args   []string
	}{
		{"boto3_basics.sh", []string{"python3"}, "boto3", nil},
		{"pca_cli.sh", []string{"aws", "openssl", "python3"}, "", nil},
		{"org_cli.sh", []string{"aws", "python3"}, "", nil},
		{"cross_account_cli.sh", []string{"aws", "openssl", "python3"}, "", nil},
		{"revocation_cli.sh", []string{"aws", "openssl", "curl", "python3"}, "", nil},
		{"tls_cli.sh", []string{"aws", "openssl"}, "", []string{"--tls=on"}},
		{"acm_cli.sh", []string{"aws", "openssl", "python3"}, "", nil},
		{"iam_extra_cli.sh", []string{"aws", "openssl", "ssh-keygen", "python3"}, "", nil},
		{"mfa_cli.sh", []string{"aws", "python3"}, "", nil},
		{"ram_cli.sh", []string{"aws", "openssl", "python3"}, "", nil},
		{"trail_cli.sh", []string{"aws", "openssl", "curl", "python3"}, "", nil},
	}
	for _, tc := range cases {
		t.Run(strings.TrimSuffix(tc.script, ".sh"), func(t *testing.T) {
			for _, tool := range tc.tools {
				requireTool(t, tool)
			}
			if tc.module != "" {
				if err := exec.Command("python3", "-c", "import "+tc.module).Run(); err != nil {
					t.Skipf("python module %s is not installed on this machine", tc.module)
				}
			}
			s := startServerArgs(t, buildBinary(t), t.TempDir(), tc.args)
			t.Log(s.runScript(t, tc.script))
			s.stop(t)
		})
	}
}
