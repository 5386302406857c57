// Package terraform runs the hashicorp/aws provider against the real
// `openpca serve` binary: every configuration in this directory goes
// through init → apply → plan (must show no changes) → destroy.
//
// The provider comes from a local plugin mirror (no network). Set
// OPENPCA_TF_WORKDIR to keep each run's files and TF_LOG=DEBUG logs,
// OPENPCA_TF_RUN_BLOCKED=1 to run the configurations listed in blocked.
package terraform

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openpca/openpca/test/testserver"
)

// Fixed bootstrap identity of every test server; the provider signs with it.
const (
	accountID = "111122223333"
	accessKey = "AKIAOPENPCATERRAFORM"
	secretKey = "openpca-terraform-secret-key-0001"
)

// pluginMirror holds registry.terraform.io/hashicorp/aws (unpacked layout).
const pluginMirror = "/opt/tf-plugins"

// configs are the runs, in order: a name (the subtest's, default dir), the
// configuration directory and its Terraform variables.
var configs = []struct {
	name, dir string
	vars      func(t *testing.T) map[string]string
}{
	{dir: "iam"},
	{dir: "acm"},
	{dir: "ram_org"},
	{dir: "ram_invite"},
	{dir: "organizations"},
	{dir: "organizations_complete"},
	{dir: "acmpca", vars: acmpcaVars("us-east-1")},
	// The same PKI in a region other than the server's default.
	{name: "acmpca-eu-west-1", dir: "acmpca", vars: acmpcaVars("eu-west-1")},
}

func acmpcaVars(region string) func(t *testing.T) map[string]string {
	return func(t *testing.T) map[string]string {
		return map[string]string{"region": region, "leaf_csr": opensslCSR(t, "www.pki.example.com")}
	}
}

// blocked lists the configurations that fail against the product today,
// with the failing call. Delete an entry once its fix is merged; the
// assertions stay as they are.
var blocked = map[string]string{}

func TestTerraformConfigurations(t *testing.T) {
	if testing.Short() {
		t.Skip("terraform runs take minutes; skipped with -short")
	}
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Skip("terraform is not installed on this machine")
	}
	if _, err := os.Stat(filepath.Join(pluginMirror, "registry.terraform.io", "hashicorp", "aws")); err != nil {
		t.Skipf("no hashicorp/aws provider in the plugin mirror %s", pluginMirror)
	}
	bin := buildBinary(t)
	cli := writeCLIConfig(t)
	for _, c := range configs {
		name := c.name
		if name == "" {
			name = c.dir
		}
		t.Run(name, func(t *testing.T) {
			if why, ok := blocked[name]; ok && os.Getenv("OPENPCA_TF_RUN_BLOCKED") == "" {
				t.Skip("blocked on: " + why)
			}
			// Each run has its own server and directory; go test's -parallel
			// (GOMAXPROCS by default) bounds how many run at once.
			t.Parallel()
			vars := map[string]string{}
			if c.vars != nil {
				vars = c.vars(t)
			}
			srv := startServer(t, bin)
			tf := newWorkspace(t, name, c.dir, cli, srv.endpoint, vars)
			tf.lifecycle(t)
		})
	}
}

// lifecycle applies the configuration, checks that a fresh plan has
// nothing to do, and destroys everything; destroy runs even after a
// failed apply so its failures show too.
func (w *workspace) lifecycle(t *testing.T) {
	if _, err := w.run(t, "init", "-no-color"); err != nil {
		t.Fatalf("terraform init: %v", err)
	}
	if _, err := w.run(t, "apply", "-auto-approve", "-no-color"); err != nil {
		t.Errorf("terraform apply: %v", err)
	} else if code, err := w.run(t, "plan", "-detailed-exitcode", "-no-color"); code != 0 {
		t.Errorf("terraform plan after apply: exit %d (2 means changes; want 0, no changes): %v", code, err)
	}
	if _, err := w.run(t, "destroy", "-auto-approve", "-no-color"); err != nil {
		t.Errorf("terraform destroy: %v", err)
	}
}

// workspace is one configuration's working directory and environment.
type workspace struct {
	dir string
	env []string
}

func newWorkspace(t *testing.T, name, config, cliConfig, endpoint string, vars map[string]string) *workspace {
	t.Helper()
	dir := t.TempDir()
	if keep := os.Getenv("OPENPCA_TF_WORKDIR"); keep != "" {
		dir = filepath.Join(keep, name)
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files, err := filepath.Glob(filepath.Join(config, "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no .tf files in %s: %v", config, err)
	}
	for _, f := range append(files, "provider.tf") {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Only what the provider needs; nothing AWS_* from the host.
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"TF_CLI_CONFIG_FILE=" + cliConfig, "TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1",
		"AWS_ACCESS_KEY_ID=" + accessKey, "AWS_SECRET_ACCESS_KEY=" + secretKey,
		"TF_VAR_endpoint=" + endpoint,
	}
	for k, v := range vars {
		env = append(env, "TF_VAR_"+k+"="+v)
	}
	return &workspace{dir: dir, env: env}
}

// run runs one terraform command with a DEBUG log. On failure it logs the
// output and the AWS calls that failed; the exit code is -1 when terraform
// did not run to completion.
func (w *workspace) run(t *testing.T, args ...string) (int, error) {
	t.Helper()
	// Generous: parallel runs on a loaded machine stretch one apply to minutes.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	logPath := filepath.Join(w.dir, args[0]+".debug.log")
	cmd := exec.CommandContext(ctx, "terraform", args...)
	cmd.Dir = w.dir
	cmd.Env = append(w.env, "TF_LOG=DEBUG", "TF_LOG_PATH="+logPath)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	code := -1
	if cmd.ProcessState != nil {
		code = cmd.ProcessState.ExitCode()
	}
	t.Logf("terraform %s: exit %d after %s", args[0], code, time.Since(start).Round(time.Second))
	if err == nil {
		return 0, nil
	}
	t.Logf("terraform %s output:\n%s", strings.Join(args, " "), out.String())
	if log, rerr := os.ReadFile(logPath); rerr == nil {
		for _, c := range failedCalls(string(log)) {
			t.Logf("failed AWS call during %s: %s", args[0], c)
		}
	}
	return code, err
}

// writeCLIConfig points provider installation at the local mirror only, so
// init never reaches the network. No plugin_cache_dir: init links each
// workspace to the unpacked mirror directly, while a shared cache entry is
// re-linked by every init and vanishes for a moment under parallel runs
// (ours or another checkout's): "no package ... cached in .terraform/providers".
func writeCLIConfig(t *testing.T) string {
	t.Helper()
	cfg := fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path = %q
  }
}
`, pluginMirror)
	path := filepath.Join(t.TempDir(), "terraform.rc")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// opensslCSR makes a P-256 key and a CSR for name with openssl, as a user
// outside Terraform would (the tls provider is not in the mirror).
func opensslCSR(t *testing.T, name string) string {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed on this machine")
	}
	dir := t.TempDir()
	csr := filepath.Join(dir, "leaf.csr")
	out, err := exec.Command("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
		"-nodes", "-keyout", filepath.Join(dir, "leaf.key"), "-subj", "/CN="+name,
		"-addext", "subjectAltName=DNS:"+name, "-out", csr).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl req: %v\n%s", err, out)
	}
	b, err := os.ReadFile(csr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func buildBinary(t *testing.T) string { return testserver.Binary(t) }

func TestMain(m *testing.M) { testserver.Main(m) }

type server struct {
	endpoint string
}

// startServer starts `openpca serve` on a random port with a fresh data
// dir and the fixed bootstrap identity; it stops with the test and logs
// the server's output if the test failed.
func startServer(t *testing.T, bin string) *server {
	t.Helper()
	p := testserver.Start(t, bin, t.TempDir(), nil, []string{
		"OPENPCA_BOOTSTRAP_ACCOUNT_ID=" + accountID,
		"OPENPCA_BOOTSTRAP_ACCESS_KEY_ID=" + accessKey,
		"OPENPCA_BOOTSTRAP_SECRET_ACCESS_KEY=" + secretKey}, 0)
	return &server{endpoint: p.Endpoint}
}
