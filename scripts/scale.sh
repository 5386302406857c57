#!/usr/bin/env bash
# Reproduces docs/benchmarks.md "Stored data: 10,000 to 1,000,000
# certificates". For each size N (SIZES, default "10000 100000 1000000"),
# in a fresh data dir:
#   1. start `openpca serve`, create through the API a CA, one certificate
#      issued by it and one ACM certificate (test/scale prepare); stop it;
#   2. seed N of each by SQL, copies of those two rows (test/scale seed);
#   3. start the server again and time exec → /healthz 200 (cold start,
#      COLD times, default 5, with the server's CPU time to ready);
#   4. K (default 200) sequential calls per operation after a warm-up call
#      (GetCertificate, ACM ListCertificates, ListCertificateAuthorities)
#      with the server's CPU time per call (/proc/PID/task/*/schedstat),
#      then the server's RSS from /proc; then one audit report until
#      SUCCESS and the RSS peak.
# SQLite only (the default store). 1,000,000 takes ~6 GB of disk and
# several minutes of seeding; KEEP=1 keeps the data dirs.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=${SIZES:-10000 100000 1000000}
k=${K:-200}
work=$(mktemp -d)
pid=
stop_server() {
  if [[ -n $pid ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    pid=
  fi
}
trap 'stop_server; [[ ${KEEP:-0} == 1 ]] || rm -rf "$work"' EXIT
go build -o "$work/openpca" ./cmd/openpca
go build -o "$work/scale" ./test/scale

echo "== $(date -u +%FT%TZ); $(uptime)"
for n in $sizes; do
  dir=$work/n$n
  mkdir -p "$dir"
  "$work/openpca" serve --data-dir "$dir/data" --listen 127.0.0.1:0 >"$dir/out" 2>"$dir/err" &
  pid=$!
  for _ in $(seq 300); do grep -q '^export AWS_PROFILE' "$dir/out" 2>/dev/null && break; sleep 0.1; done
  eval "$(grep '^export ' "$dir/out")"
  port=$(sed -n 's|^OpenPCA listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$dir/out")
  "$work/scale" prepare -state "$dir/state.json"
  stop_server

  echo "== $n certificates (pca rows and ACM rows each)"
  "$work/scale" seed -state "$dir/state.json" -data-dir "$dir/data" -n "$n"
  du -sh "$dir/data" | awk '{print "data dir " $1}'
  sync

  # COLD starts (default 5): wall time moves with the machine's load, the
  # server's CPU time to ready much less. The last one stays up.
  for i in $(seq "${COLD:-5}"); do
    stop_server
    "$work/scale" coldstart -url "http://127.0.0.1:$port/healthz" -pidfile "$dir/pid" -out "$dir/out2" -- \
      "$work/openpca" serve --data-dir "$dir/data" --listen "127.0.0.1:$port"
    pid=$(cat "$dir/pid")
  done
  for _ in $(seq 100); do grep -q '^export AWS_PROFILE' "$dir/out2" 2>/dev/null && break; sleep 0.1; done
  eval "$(grep '^export ' "$dir/out2")"
  "$work/scale" measure -state "$dir/state.json" -n "$k" -stored "$n" -pid "$pid"
  awk '/^VmRSS/{printf "RSS after the reads %d MB\n", $2/1024}' "/proc/$pid/status"
  "$work/scale" audit -state "$dir/state.json"
  awk '/^VmRSS/{r=$2} /^VmHWM/{h=$2} END{printf "RSS after the audit report %d MB (peak %d MB)\n", r/1024, h/1024}' "/proc/$pid/status"
  stop_server
  [[ ${KEEP:-0} == 1 ]] || rm -rf "$dir/data"
  echo
done
echo "== $(date -u +%FT%TZ); $(uptime)"
