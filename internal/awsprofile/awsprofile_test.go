package awsprofile

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestWriteUpsertAndEndpoint(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, Profile{Name: "openpca", AccessKeyID: "AKIA1", SecretAccessKey: "s1", Region: "us-east-1", EndpointURL: "http://127.0.0.1:1"}); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, Profile{Name: "team-b", AccessKeyID: "AKIA2", SecretAccessKey: "s2", Region: "us-east-1", EndpointURL: "http://127.0.0.1:1"}); err != nil {
		t.Fatal(err)
	}
	// Replacing a profile keeps one section for it.
	if err := Write(dir, Profile{Name: "team-b", AccessKeyID: "AKIA3", SecretAccessKey: "s3", Region: "us-east-1", EndpointURL: "http://127.0.0.1:1"}); err != nil {
		t.Fatal(err)
	}
	if err := SetEndpoint(dir, "http://127.0.0.1:2"); err != nil {
		t.Fatal(err)
	}
	cfg, cred := Paths(dir)
	cb, _ := os.ReadFile(cred)
	if strings.Count(string(cb), "[team-b]") != 1 || !strings.Contains(string(cb), "AKIA3") || strings.Contains(string(cb), "AKIA2") {
		t.Fatalf("credentials:\n%s", cb)
	}
	for _, p := range []string{"openpca", "team-b"} {
		ep, err := Endpoint(dir, p)
		if err != nil || ep != "http://127.0.0.1:2" {
			t.Fatalf("endpoint of %s = %q, %v", p, ep, err)
		}
	}
	st, _ := os.Stat(cfg)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("config mode %v", st.Mode().Perm())
	}
	ex := Exports("/tmp/a b", "openpca")
	if !strings.Contains(ex[0], "'/tmp/a b/aws/config'") || ex[1] != "export AWS_PROFILE=openpca" {
		t.Fatalf("exports %q", ex)
	}
}

// TestConcurrentWritersKeepEveryProfile: concurrent writers (the server and
// admin create-account) never drop each other's profiles.
func TestConcurrentWritersKeepEveryProfile(t *testing.T) {
	dir := t.TempDir()
	const n = 20
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func(i int) {
			errs <- Write(dir, Profile{Name: fmt.Sprintf("p%02d", i), AccessKeyID: "AKIA", SecretAccessKey: "s", Region: "us-east-1", EndpointURL: "http://x"})
		}(i)
	}
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	_, cred := Paths(dir)
	b, _ := os.ReadFile(cred)
	for i := 0; i < n; i++ {
		if !strings.Contains(string(b), fmt.Sprintf("[p%02d]", i)) {
			t.Fatalf("profile p%02d lost:\n%s", i, b)
		}
	}
}

func TestSetCABundle(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"openpca", "team-b"} {
		if err := Write(dir, Profile{Name: name, AccessKeyID: "AKIA1", SecretAccessKey: "s1", Region: "us-east-1", EndpointURL: "https://127.0.0.1:1"}); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct{ set, want string }{
		{"/data/ca-bundle.pem", "/data/ca-bundle.pem"},
		{"/other/ca-bundle.pem", "/other/ca-bundle.pem"}, // replaced, not added
		{"", ""}, // removed when TLS is off
	}
	for _, s := range steps {
		if err := SetCABundle(dir, s.set); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"openpca", "team-b"} {
			if got, _ := Get(dir, name, "ca_bundle"); got != s.want {
				t.Fatalf("after SetCABundle(%q): %s ca_bundle = %q", s.set, name, got)
			}
		}
		cfg, _ := Paths(dir)
		b, _ := os.ReadFile(cfg)
		if n := strings.Count(string(b), "ca_bundle"); n != 2*len(s.want)/max(1, len(s.want)) {
			t.Fatalf("config:\n%s", b)
		}
	}
	if err := Write(dir, Profile{Name: "team-c", AccessKeyID: "AKIA2", SecretAccessKey: "s2", Region: "us-east-1", EndpointURL: "https://127.0.0.1:1", CABundle: "/data/ca-bundle.pem"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := Get(dir, "team-c", "ca_bundle"); got != "/data/ca-bundle.pem" {
		t.Fatalf("Write with CABundle: %q", got)
	}
}
