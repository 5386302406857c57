#!/usr/bin/env bash
# Crash safety: builds openpca, serves a temp data dir, drives issuance,
# revocation and ACM requests from concurrent SDK clients, SIGKILLs the
# server at random moments and checks after every restart that nothing
# acknowledged was lost or duplicated (test/crash). CYCLES=N (default 100);
# SEED=n replays a run; a CRL served after a crash that lacks an
# acknowledged revocation fails the run (CRL_STRICT=0 only reports it).
# Exits non-zero on any loss.
set -euo pipefail
cd "$(dirname "$0")/.."
cycles=${CYCLES:-100}
work=$(mktemp -d "${TMPDIR:-/tmp}/openpca-crash.XXXXXX")
keep=0
trap '[ "$keep" = 1 ] || rm -rf "$work"' EXIT
go build -o "$work/openpca" ./cmd/openpca
go build -o "$work/crash" ./test/crash
args=(-bin "$work/openpca" -dir "$work/data" -cycles "$cycles")
[ -n "${SEED:-}" ] && args+=(-seed "$SEED")
[ -n "${CLIENTS:-}" ] && args+=(-clients "$CLIENTS")
if ! "$work/crash" "${args[@]}"; then
  keep=1
  echo "crashtest failed; data dir and server.log kept in $work" >&2
  exit 1
fi
