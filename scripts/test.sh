#!/usr/bin/env bash
# Runs every test: formatting and vet, each fuzz target for a short fixed
# time, then the whole suite (unit, SDK integration, aws CLI and boto3 e2e,
# Terraform).
set -euo pipefail
cd "$(dirname "$0")/.."

unformatted=$(gofmt -l $(find . -name '*.go' -not -path './.git/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
go vet ./...

# 30 targets: 5 s each keeps the whole suite near its budget; FUZZTIME=60s for a longer hunt.
fuzztime=${FUZZTIME:-5s}
grep -rl --include='*_test.go' '^func Fuzz' internal test | sort | while read -r f; do
  pkg=./$(dirname "$f")
  for name in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | cut -d' ' -f2); do
    echo "fuzz $pkg $name ($fuzztime)"
    # The fuzz coordinator can end with "context deadline exceeded" and no
    # failing input when a worker is slow to stop on a loaded machine (Go's
    # fuzzing, not our code): such a run is repeated once; a run that wrote
    # a failing input fails at once.
    if ! go test -run=NONE -fuzz="^${name}\$" -fuzztime="$fuzztime" -fuzzminimizetime=2s "$pkg" >/tmp/openpca-fuzz.log 2>&1; then
      if grep -q 'context deadline exceeded' /tmp/openpca-fuzz.log && ! grep -q 'Failing input written to' /tmp/openpca-fuzz.log; then
        echo "fuzz $pkg $name: coordinator deadline on a loaded machine, once more"
        go test -run=NONE -fuzz="^${name}\$" -fuzztime="$fuzztime" -fuzzminimizetime=2s "$pkg" >/tmp/openpca-fuzz.log 2>&1 || { cat /tmp/openpca-fuzz.log; exit 1; }
      else
        cat /tmp/openpca-fuzz.log; exit 1
      fi
    fi
  done
done

# test/terraform runs terraform apply/plan/destroy per configuration (when
# terraform and its plugin mirror are present): minutes each on a busy machine.
go test -count=1 -timeout 30m ./...

# The same store, domain and SDK integration tests on PostgreSQL, when its
# server binaries exist (internal/store/storetest starts a throwaway cluster
# per test process; OPENPCA_TEST_POSTGRES may name a server URL or bin dir).
if [ -n "${OPENPCA_TEST_POSTGRES:-}" ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; then
  echo "PostgreSQL pass"
  OPENPCA_TEST_DATABASE=postgres go test -count=1 -timeout 30m \
    ./internal/store/... ./internal/iam/ ./internal/org/ ./internal/pca/ ./internal/ram/ ./internal/acm/ ./internal/trail/ \
    ./internal/tlsca/ ./internal/pkihttp/ ./internal/awsapi/... ./test/integration/
else
  echo "PostgreSQL pass skipped: no server binaries (install postgresql)"
fi

# PKCS#11 (cgo, build tag pkcs11) against SoftHSM2 when it is installed
# (.ci/run installs it).
if command -v softhsm2-util >/dev/null && [ -e "${SOFTHSM2_MODULE:-/usr/lib/softhsm/libsofthsm2.so}" ]; then
  CGO_ENABLED=1 go vet -tags pkcs11 ./internal/keystore/ ./test/integration/
  CGO_ENABLED=1 go test -count=1 -tags pkcs11 -run 'PKCS11|HSM' ./internal/keystore/ ./test/integration/
else
  echo "skipping PKCS#11 tests: SoftHSM2 not installed"
fi

# Crash safety, shortened (the full run is CYCLES=100 bash scripts/crashtest.sh),
# then on a throwaway PostgreSQL cluster when its server binaries exist.
DATABASE=sqlite CYCLES=${CRASH_CYCLES:-3} bash scripts/crashtest.sh
pgbin=${OPENPCA_TEST_POSTGRES:-}
[ -x "$pgbin/initdb" ] || pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
if [ -x "$pgbin/initdb" ]; then
  PGBIN=$pgbin DATABASE=postgres CYCLES=${CRASH_PG_CYCLES:-2} bash scripts/crashtest.sh
else
  echo "PostgreSQL crash test skipped: no server binaries (install postgresql)"
fi
