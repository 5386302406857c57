#!/usr/bin/env bash
# Crash safety: builds openpca, serves a temp data dir, drives issuance,
# revocation, ACM requests and RAM share writes from concurrent SDK clients,
# SIGKILLs the server at random moments and checks after every restart that
# nothing acknowledged was lost or duplicated and that the CA's policy is
# what its RAM associations generate (test/crash). CYCLES=N (default 100);
# SEED=n replays a run; a CRL served after a crash that lacks an
# acknowledged revocation fails the run (CRL_STRICT=0 only reports it).
# DATABASE=postgres (or CRASH_DATABASE=postgres) runs the server on a
# throwaway PostgreSQL cluster (binaries from PGBIN or
# /usr/lib/postgresql/*/bin); only the openpca server is killed.
# Exits non-zero on any loss.
set -euo pipefail
cd "$(dirname "$0")/.."
cycles=${CYCLES:-100}
database=${DATABASE:-${CRASH_DATABASE:-sqlite}}
case $database in
  sqlite | postgres) ;;
  *) echo "crashtest: DATABASE must be sqlite or postgres, not $database" >&2; exit 2 ;;
esac
work=$(mktemp -d "${TMPDIR:-/tmp}/openpca-crash.XXXXXX")
keep=0
pgstop=:
cleanup() {
  $pgstop
  [ "$keep" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/openpca" ./cmd/openpca
go build -o "$work/crash" ./test/crash
args=(-bin "$work/openpca" -dir "$work/data" -cycles "$cycles")
[ -n "${SEED:-}" ] && args+=(-seed "$SEED")
[ -n "${CLIENTS:-}" ] && args+=(-clients "$CLIENTS")

if [ "$database" = postgres ]; then
  pgbin=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
  [ -x "$pgbin/initdb" ] || { echo "crashtest: no PostgreSQL server binaries (set PGBIN)" >&2; exit 1; }
  pg=$work/pg
  mkdir -p "$pg"
  as=()
  if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root: the cluster belongs to nobody.
    chmod 711 "$work"
    chown 65534:65534 "$pg"
    as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  fi
  "${as[@]}" "$pgbin/initdb" -D "$pg/data" -U postgres -A trust --locale=C -E UTF8 >"$work/pg-initdb.log" 2>&1 ||
    { cat "$work/pg-initdb.log" >&2; exit 1; }
  # Unix socket only; durability settings stay at their defaults.
  "${as[@]}" "$pgbin/pg_ctl" -D "$pg/data" -l "$pg/log" -w -s \
    -o "-k $pg -c listen_addresses= -c max_connections=200" start
  pgstop="${as[*]} $pgbin/pg_ctl -D $pg/data -m fast -s stop"
  "$pgbin/createdb" -h "$pg" -U postgres openpca
  args+=(-database "postgres://postgres@/openpca?host=$pg&sslmode=disable")
fi

if ! "$work/crash" "${args[@]}"; then
  keep=1
  echo "crashtest failed; data dir and server.log kept in $work" >&2
  exit 1
fi
