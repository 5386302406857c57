// Package e2e runs the real binary and drives it with the aws CLI and boto3
// that the machine image ships, using only what `openpca serve` prints.
package e2e

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// server is a started `openpca serve` process.
type server struct {
	cmd      *exec.Cmd
	dataDir  string
	endpoint string
	exports  []string
	bin      string
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// buildBinary builds cmd/openpca once for all tests of the package.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "openpca-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "openpca")
		cmd := exec.Command("go", "build", "-o", builtBin, "../../cmd/openpca")
		cmd.Stderr = os.Stderr
		buildErr = cmd.Run()
	})
	if buildErr != nil {
		t.Fatalf("build: %v", buildErr)
	}
	return builtBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

func startServer(t *testing.T, bin, dataDir string, env ...string) *server {
	t.Helper()
	return startServerArgs(t, bin, dataDir, nil, env...)
}

// startServerArgs is startServer with extra serve flags.
func startServerArgs(t *testing.T, bin, dataDir string, args []string, env ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--data-dir", dataDir, "--listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(t.TempDir(), "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, dataDir: dataDir, bin: bin}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("server log:\n%s", b)
		}
	})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	timeout := time.After(30 * time.Second)
	for s.endpoint == "" || len(s.exports) < 2 {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("server exited before it was ready")
			}
			if rest, ok := strings.CutPrefix(l, "OpenPCA listening on "); ok {
				s.endpoint = strings.Fields(rest)[0]
			}
			if strings.HasPrefix(l, "export ") {
				s.exports = append(s.exports, l)
			}
		case <-timeout:
			t.Fatal("server did not print its endpoint and exports in 30s")
		}
	}
	go func() {
		for range lines {
		}
	}()
	return s
}

func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("server exit after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not stop within 30s of SIGTERM")
	}
}

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
