package e2e

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openpca/openpca/internal/store/storetest"
)

// Two `openpca serve` processes on one PostgreSQL database, one given
// --database and the other OPENPCA_DATABASE_URL: what the aws CLI writes
// through one, it reads through the other.
func TestTwoServersOneDatabase(t *testing.T) {
	requireTool(t, "aws")
	url := storetest.PostgresURL(t)
	bin := buildBinary(t)
	key := "OPENPCA_MASTER_KEY=" + base64.StdEncoding.EncodeToString([]byte("e2e-shared-master-key-32-bytes!!"))
	s1 := startServerArgs(t, bin, t.TempDir(), []string{"--database", url}, key)
	s2 := startServerArgs(t, bin, t.TempDir(), nil, key, "OPENPCA_DATABASE_URL="+url)
	script := filepath.Join(t.TempDir(), "shared.sh")
	if err := os.WriteFile(script, []byte(`set -euo pipefail
eval "$OPENPCA_EXPORTS"
aws iam create-user --user-name shared-user --endpoint-url "$OPENPCA_ENDPOINT" >/dev/null
aws iam get-user --user-name shared-user --endpoint-url "$OTHER" --query User.Arn --output text
`), 0o600); err != nil {
		t.Fatal(err)
	}
	out := s1.runScript(t, script, "OTHER="+s2.endpoint)
	if !strings.Contains(out, ":user/shared-user") {
		t.Fatalf("the second server does not see the user: %s", out)
	}
	s1.stop(t)
	s2.stop(t)
}
