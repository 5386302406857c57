// Package testserver builds the openpca binary once per test package and
// starts `openpca serve` processes the way a user does, reading only what
// the server prints. The e2e and Terraform tests share it.
package testserver

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// Binary builds cmd/openpca (relative to the calling test package, two
// levels below the module root) once for all tests of the process.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "openpca-test-bin-")
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

// Main runs the package's tests and removes the built binary afterwards;
// call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// Proc is a started `openpca serve`.
type Proc struct {
	Cmd      *exec.Cmd
	Endpoint string
	// Exports are the `export …` lines the server printed (profile and
	// region), in order.
	Exports []string
}

// Start runs `openpca serve --data-dir dataDir --listen 127.0.0.1:0 args…`
// with env added to the environment, and waits until it has printed its
// endpoint and at least wantExports export lines. The process is killed
// when the test ends if still running; its stderr is logged on failure.
func Start(t testing.TB, bin, dataDir string, args, env []string, wantExports int) *Proc {
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
	p := &Proc{Cmd: cmd}
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
	for p.Endpoint == "" || len(p.Exports) < wantExports {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("server exited before it was ready")
			}
			if rest, ok := strings.CutPrefix(l, "OpenPCA listening on "); ok {
				p.Endpoint = strings.Fields(rest)[0]
			}
			if strings.HasPrefix(l, "export ") {
				p.Exports = append(p.Exports, l)
			}
		case <-timeout:
			t.Fatal("server did not print its endpoint and exports in 30s")
		}
	}
	go func() {
		for range lines {
		}
	}()
	return p
}

// Stop sends SIGTERM and waits up to 30 s for a clean exit.
func (p *Proc) Stop(t testing.TB) {
	t.Helper()
	if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.Cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("server exit after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		_ = p.Cmd.Process.Kill()
		t.Fatal("server did not stop within 30s of SIGTERM")
	}
}
