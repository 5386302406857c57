#!/usr/bin/env bash
# Reproduces docs/benchmarks.md: the Go micro-benchmarks, then the load
# tool against a freshly started server on loopback. Run on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."

count=${COUNT:-5}
echo "== micro-benchmarks (count=$count)"
go test -run=NONE -benchmem -count="$count" \
  -bench='^(BenchmarkSigV4Verify|BenchmarkSigV4VerifyColdKey)$' ./internal/sigv4/
go test -run=NONE -benchmem -count="$count" \
  -bench='^(BenchmarkEvaluateAccountShare|BenchmarkEvaluateOrgShare|BenchmarkParse)$' ./internal/policy/
go test -run=NONE -benchmem -count="$count" -bench='^BenchmarkAuthorize' ./internal/authz/
go test -run=NONE -benchmem -count="$count" -bench='^(BenchmarkIssueP256|BenchmarkIssueRSA2048)$' ./internal/pki/
go test -run=NONE -benchmem -count="$count" -bench='^(BenchmarkIssueCertificateService|BenchmarkIssueSameAccount|BenchmarkIssueCrossAccount|BenchmarkAuthorizeIssue|BenchmarkOCSP)' ./internal/pca/
go test -run=NONE -benchmem -count=1 -bench='^BenchmarkCRL100k$' ./internal/pki/

echo "== load test: GetCallerIdentity through HTTP + SigV4 + authz"
work=$(mktemp -d)
trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/openpca" ./cmd/openpca
"$work/openpca" serve --data-dir "$work/data" --listen 127.0.0.1:0 >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 100); do grep -q '^export AWS_PROFILE' "$work/out" 2>/dev/null && break; sleep 0.1; done
eval "$(grep '^export ' "$work/out")"
for c in ${CONCURRENCY:-1 16}; do
  "$work/openpca" loadtest --operation GetCallerIdentity -c "$c" -d "${DURATION:-10s}"
  echo
done

echo "== load test: acm-pca through HTTP + SigV4 + authz + durable commit"
for alg in EC_prime256v1 RSA_2048; do
  "$work/openpca" loadtest --operation IssueCertificate --key-algorithm "$alg" -c 32 -d "${DURATION:-10s}"
  echo
done
"$work/openpca" loadtest --operation GetCertificate -c 16 -d "${DURATION:-10s}"
