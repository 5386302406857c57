#!/usr/bin/env bash
# Reproduces "PostgreSQL against SQLite" in docs/benchmarks.md: the load
# tool against one server on SQLite, one server on a throwaway PostgreSQL
# cluster (fsync on, unix socket), then two servers sharing that database,
# and the database work per issued certificate from pg_stat_statements and
# pg_stat_database. Run on a quiet machine; the server CPU per request
# (from /proc) is the figure other processes disturb least.
#
#   scripts/pgbench.sh
#   DURATION=20s PGBIN=/usr/lib/postgresql/15/bin scripts/pgbench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${DURATION:-10s}
count_n=${COUNT_REQUESTS:-2000}
pgbin=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
tick=$(getconf CLK_TCK)
work=$(mktemp -d)
chmod 755 "$work"
pids=()
pgpid=

cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  if [[ -n $pgpid ]]; then kill -INT "$pgpid" 2>/dev/null || true; wait "$pgpid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# PostgreSQL refuses to run as root: run the cluster as nobody then.
as_pg=()
if [[ $(id -u) == 0 ]]; then as_pg=(setpriv --reuid=65534 --regid=65534 --clear-groups --); fi

go build -o "$work/openpca" ./cmd/openpca
# Every server on the shared database unseals with the same master key.
OPENPCA_MASTER_KEY=$(head -c 32 /dev/urandom | base64)
export OPENPCA_MASTER_KEY

mkdir -p "$work/pg" "$work/sock"
if [[ $(id -u) == 0 ]]; then chown 65534:65534 "$work/pg" "$work/sock"; fi
"${as_pg[@]}" "$pgbin/initdb" -D "$work/pg/data" -U postgres -A trust --locale=C -E UTF8 >/dev/null
"${as_pg[@]}" "$pgbin/postgres" -D "$work/pg/data" -k "$work/sock" -c listen_addresses= -c fsync=on \
  -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all \
  -c max_connections=200 >"$work/pg/log" 2>&1 &
pgpid=$!
psql_() { "$pgbin/psql" -X -q -A -t -h "$work/sock" -U postgres "$@"; }
for _ in $(seq 100); do psql_ -d postgres -c 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.1; done
psql_ -d postgres -c "CREATE DATABASE openpca TEMPLATE template0 LOCALE 'C' ENCODING 'UTF8'"
psql_ -d openpca -c 'CREATE EXTENSION pg_stat_statements'
pgurl="postgres://postgres@/openpca?host=$work/sock&sslmode=disable"
echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') fsync=on, unix socket; $(nproc) cores; $(uptime)"

# start_server NAME [serve flags…]: a fresh data dir; sets srvpid.
start_server() {
  local name=$1
  shift
  "$work/openpca" serve --data-dir "$work/$name" --listen 127.0.0.1:0 "$@" >"$work/$name.out" 2>"$work/$name.err" &
  srvpid=$!
  pids+=("$srvpid")
  for _ in $(seq 200); do grep -q '^OpenPCA listening on' "$work/$name.out" 2>/dev/null && break; sleep 0.1; done
  if ! kill -0 "$srvpid" 2>/dev/null || ! grep -q '^OpenPCA listening on' "$work/$name.out"; then
    echo "server $name did not start:" >&2
    cat "$work/$name.err" >&2
    exit 1
  fi
}

stop_servers() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pids=()
}

# pg_ticks: CPU ticks of the PostgreSQL cluster so far: the postmaster,
# the backends it has reaped (cutime) and the live ones.
pg_ticks() {
  local t c
  t=$(awk '{print $14+$15+$16+$17}' "/proc/$pgpid/stat")
  for c in $(pgrep -P "$pgpid"); do t=$((t + $(awk '{print $14+$15}' "/proc/$c/stat" 2>/dev/null || echo 0))); done
  echo "$t"
}

# load NAME PID ARGS…: one loadtest run against server NAME (pid PID),
# then that server's CPU time per request from /proc. The credentials are
# those of the server that bootstrapped the database ($creds_of): servers
# started later on it write no profile.
load() {
  local name=$1 pid=$2 t0 t1 g0 g1 n lp endpoint
  shift 2
  endpoint=$(awk '/^OpenPCA listening on/{print $4}' "$work/$name.out")
  (
    eval "$(grep '^export ' "$work/${creds_of:-$name}.out")"
    exec "$work/openpca" loadtest --endpoint "$endpoint" "$@" >"$work/$name.load" 2>"$work/$name.load.err"
  ) &
  lp=$!
  until grep -q '^load started' "$work/$name.load.err" 2>/dev/null || ! kill -0 "$lp" 2>/dev/null; do sleep 0.02; done
  t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
  g0=$(pg_ticks)
  wait "$lp" || true
  t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
  g1=$(pg_ticks)
  echo "-- $name: $*"
  cat "$work/$name.load"
  grep -v '^load started' "$work/$name.load.err" || true
  n=$(awk '/^requests/{print $2}' "$work/$name.load")
  if [[ ${n:-0} -gt 0 ]]; then
    awk -v d=$((t1 - t0)) -v g=$((g1 - g0)) -v n="$n" -v hz="$tick" -v pg="$name" 'BEGIN {
      printf "server CPU per request %.0f µs", d/hz*1e6/n
      if (pg != "sqlite") printf "; PostgreSQL CPU per request %.0f µs (all its load during the run)", g/hz*1e6/n
      printf "\n" }'
  fi
}

ops=("--operation IssueCertificate --key-algorithm EC_prime256v1 -c 32" "--operation GetCertificate -c 16")

for engine in sqlite postgres; do
  echo "== one server on $engine"
  if [[ $engine == sqlite ]]; then start_server "$engine"; else start_server "$engine" --database "$pgurl"; fi
  for op in "${ops[@]}"; do
    # shellcheck disable=SC2086
    load "$engine" "$srvpid" -d "$duration" $op
  done
  stop_servers
done

echo "== two servers on one PostgreSQL database (run at once; add the throughputs)"
creds_of=postgres
start_server pg1 --database "$pgurl"
p1=$srvpid
start_server pg2 --database "$pgurl"
p2=$srvpid
for op in "${ops[@]}"; do
  # shellcheck disable=SC2086
  load pg1 "$p1" -d "$duration" $op >"$work/pair1" &
  a=$!
  # shellcheck disable=SC2086
  load pg2 "$p2" -d "$duration" $op >"$work/pair2" &
  b=$!
  wait "$a" "$b" || true
  cat "$work/pair1" "$work/pair2"
done

echo "== database work per issued certificate ($count_n IssueCertificate, one server)"
psql_ -d openpca -c 'SELECT pg_stat_statements_reset()' >/dev/null
psql_ -d openpca -c 'SELECT pg_stat_reset()' >/dev/null
# shellcheck disable=SC2086
load pg1 "$p1" -n "$count_n" --operation IssueCertificate --key-algorithm EC_prime256v1 -c 32 >"$work/count"
cat "$work/count"
n=$(awk '/^requests/{print $2}' "$work/pg1.load")
if [[ ${n:-0} -le 0 ]]; then echo "no requests counted" >&2; exit 1; fi
sleep 1 # pg_stat_database is updated when a backend reports
psql_ -d openpca -F ' | ' -P footer=off <<SQL
SELECT 'per certificate: statements ' || round(sum(calls)::numeric / $n, 1) ||
       ', rows ' || round(sum(rows)::numeric / $n, 1) ||
       ', statement time ' || round((sum(total_exec_time) / $n * 1000)::numeric, 0) || ' µs'
  FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'openpca');
SELECT 'per certificate: commits ' || round(xact_commit::numeric / $n, 2) || ', rollbacks ' || round(xact_rollback::numeric / $n, 2) ||
       ', rows inserted ' || round(tup_inserted::numeric / $n, 2) || ', updated ' || round(tup_updated::numeric / $n, 2) ||
       ', deleted ' || round(tup_deleted::numeric / $n, 2) || ', new connections ' || round(sessions::numeric / $n, 3)
  FROM pg_stat_database WHERE datname = 'openpca';
SELECT round(calls::numeric / $n, 2) || ' x ' || round(mean_exec_time::numeric * 1000, 0) || ' µs  ' ||
       left(regexp_replace(query, '\s+', ' ', 'g'), 110)
  FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'openpca') AND calls >= $n / 20
  ORDER BY total_exec_time DESC LIMIT 15;
SQL
