#!/usr/bin/env bash
# Reproduces docs/benchmarks.md: the Go micro-benchmarks, then the load
# tool against a freshly started server on loopback. Run on a quiet machine.
#
#   scripts/bench.sh            micro-benchmarks + load test
#   scripts/bench.sh --profile  load test only, one fresh server per
#                               operation, writing its CPU and allocation
#                               profiles (and their top lists) to
#                               $PROFILE_DIR (default ./bench-profiles)
#
# ACCOUNTS (default 200) sets how many member accounts the mixed profile
# creates for its cross-account callers.
#
# Every load run also prints the server's own CPU time per request, read
# from /proc: unlike throughput it barely moves when other processes share
# the cores.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=0
if [[ ${1:-} == --profile ]]; then profile=1; fi
count=${COUNT:-5}
duration=${DURATION:-10s}
profdir=${PROFILE_DIR:-bench-profiles}

if [[ $profile == 0 ]]; then
  echo "== micro-benchmarks (count=$count)"
  go test -run=NONE -benchmem -count="$count" \
    -bench='^(BenchmarkSigV4Verify|BenchmarkSigV4VerifyColdKey)$' ./internal/sigv4/
  go test -run=NONE -benchmem -count="$count" \
    -bench='^(BenchmarkEvaluateAccountShare|BenchmarkEvaluateOrgShare|BenchmarkEvaluateManyStatements|BenchmarkParse)$' ./internal/policy/
  go test -run=NONE -benchmem -count="$count" -bench='^BenchmarkAuthorize' ./internal/authz/
  go test -run=NONE -benchmem -count="$count" -bench='^(BenchmarkIssueP256|BenchmarkIssueRSA2048)$' ./internal/pki/
  go test -run=NONE -benchmem -count="$count" -bench='^(BenchmarkIssueCertificateService|BenchmarkIssueSameAccount|BenchmarkIssueCrossAccount|BenchmarkIssueUnderRAMPolicy|BenchmarkAuthorizeIssue|BenchmarkAuthorizeUnderRAMPolicy|BenchmarkOCSP)' ./internal/pca/
  go test -run=NONE -benchmem -count=1 -bench='^BenchmarkCRL100k$' ./internal/pki/
  go test -run=NONE -benchmem -count="$count" -bench='^BenchmarkDueQuery$' ./internal/acm/
fi

work=$(mktemp -d)
pid=
trap 'stop_server; rm -rf "$work"' EXIT
go build -o "$work/openpca" ./cmd/openpca
# OPENPCA_SERVER_BIN serves from another build (e.g. before a change) while
# this tree's load tool drives it.
server_bin=${OPENPCA_SERVER_BIN:-$work/openpca}
tick=$(getconf CLK_TCK)

# start_server [serve flags…]: a fresh data dir each time.
start_server() {
  rm -rf "$work/data"
  "$server_bin" serve --data-dir "$work/data" --listen 127.0.0.1:0 "$@" >"$work/out" 2>"$work/err" &
  pid=$!
  for _ in $(seq 300); do grep -q '^export AWS_PROFILE' "$work/out" 2>/dev/null && break; sleep 0.1; done
  if ! grep -q '^export AWS_PROFILE' "$work/out"; then
    # Without its exports the tool would run against the last server's
    # (deleted) profile files.
    echo "server did not start within 30 s:" >&2
    cat "$work/out" "$work/err" >&2
    exit 1
  fi
  eval "$(grep '^export ' "$work/out")"
}

stop_server() {
  if [[ -n $pid ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=
  fi
}

# load ARGS…: one loadtest run, then the server's CPU time per request,
# sampled from the end of the tool's setup (CA creation) to its end, and
# the raw CPU cost over it.
load() {
  local t0 t1 n lp
  : >"$work/load.err"
  "$work/openpca" loadtest -d "$duration" "$@" >"$work/load" 2>"$work/load.err" &
  lp=$!
  until grep -q '^load started' "$work/load.err" || ! kill -0 "$lp" 2>/dev/null; do sleep 0.02; done
  t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
  wait "$lp" || true
  t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
  cat "$work/load"
  grep -v '^load started' "$work/load.err" || true
  n=$(awk '/^requests/{print $2}' "$work/load")
  if [[ ${n:-0} -gt 0 ]]; then
    awk -v d=$((t1 - t0)) -v n="$n" -v hz="$tick" '
      function us(s) { if (s ~ /µs$/) return s+0; if (s ~ /ms$/) return (s+0)*1000; if (s ~ /ns$/) return (s+0)/1000; return (s+0)*1e6 }
      / CPU per request = / { for (i = 1; i < NF; i++) if ($(i+1) == "CPU") raw = us($i) }
      END {
        srv = d/hz*1e6/n
        printf "server CPU per request %.0f µs", srv
        if (raw > 0) printf "; raw / server CPU %.2f", raw/srv
        printf "\n"
      }' "$work/load"
  fi
  echo
}

if [[ $profile == 1 ]]; then
  mkdir -p "$profdir"
  # name | loadtest flags
  while IFS='|' read -r name flags; do
    echo "== profile: $name"
    start_server --cpu-profile "$profdir/$name.cpu.pprof" --mem-profile "$profdir/$name.allocs.pprof"
    # shellcheck disable=SC2086
    load $flags
    stop_server
    go tool pprof -top -nodecount=40 "$server_bin" "$profdir/$name.cpu.pprof" >"$profdir/$name.cpu.top.txt" 2>/dev/null
    go tool pprof -top -cum -nodecount=60 "$server_bin" "$profdir/$name.cpu.pprof" >"$profdir/$name.cpu.cum.txt" 2>/dev/null
    go tool pprof -sample_index=alloc_space -top -nodecount=30 "$server_bin" "$profdir/$name.allocs.pprof" >"$profdir/$name.allocs.top.txt" 2>/dev/null
    sed -n '1,16p' "$profdir/$name.cpu.top.txt"
    echo
  done <<OPS
IssueCertificate-P256|--operation IssueCertificate --key-algorithm EC_prime256v1 -c 32
IssueCertificate-RSA2048|--operation IssueCertificate --key-algorithm RSA_2048 -c 32
GetCertificate|--operation GetCertificate -c 16
DescribeCertificateAuthority|--operation DescribeCertificateAuthority -c 16
RequestCertificate-P256|--operation RequestCertificate --key-algorithm EC_prime256v1 -c 32
RequestCertificate-RSA2048|--operation RequestCertificate --key-algorithm RSA_2048 -c 32
DescribeCertificate|--operation DescribeCertificate -c 16
ListCertificates|--operation ListCertificates -c 16
GetPolicy|--operation GetPolicy -c 16
GetResourceShares|--operation GetResourceShares -c 16
mixed|--operation mixed --accounts ${ACCOUNTS:-200} -c 32
OPS
  exit 0
fi

start_server
echo "== load test: GetCallerIdentity through HTTP + SigV4 + authz"
for c in ${CONCURRENCY:-1 16}; do
  load --operation GetCallerIdentity -c "$c"
done

echo "== load test: acm-pca through HTTP + SigV4 + authz + durable commit"
for alg in EC_prime256v1 RSA_2048; do
  load --operation IssueCertificate --key-algorithm "$alg" -c 32
done
load --operation GetCertificate -c 16
load --operation DescribeCertificateAuthority -c 16

echo "== load test: ACM RequestCertificate until ISSUED (the worker issues)"
for alg in EC_prime256v1 RSA_2048; do
  load --operation RequestCertificate --key-algorithm "$alg" -c 32
done

echo "== load test: the other reads of the mix (acm, acm-pca GetPolicy, ram)"
for op in DescribeCertificate ListCertificates GetPolicy GetResourceShares; do
  load --operation "$op" -c 16
done

# The mixed profile on a fresh server: its set-up (organization, $ACCOUNTS
# member accounts, RAM share) is not measured.
echo "== load test: mixed profile (loadtest.DefaultMix) from ${ACCOUNTS:-200} member accounts"
stop_server
start_server
load --operation mixed --accounts "${ACCOUNTS:-200}" -c 32
