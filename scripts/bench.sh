#!/bin/sh
# Runs `provenance bench ingest`, `lineage`, `orchestrate`, `auth`, `metrics` or `openlineage` against a release-built server on a fresh
# embedded cluster, then stops it. Usage: scripts/bench.sh ingest|lineage|orchestrate|auth|metrics|openlineage|schedules [benchmark options,
# e.g. --artifacts 1000000]. (`auth` takes no database settings: it talks to the server only.)
set -eu
cd "$(dirname "$0")/.."
BENCHMARK="${1:?usage: scripts/bench.sh ingest|lineage|orchestrate|auth|metrics|openlineage|schedules [options]}"
shift
. scripts/lib/server.sh
start_bench_server /tmp/provenance-bench/postgres
if [ "$BENCHMARK" = auth ]; then
    "$BIN" bench "$BENCHMARK" --server "http://127.0.0.1:$PORT" "$@"
else
    "$BIN" bench "$BENCHMARK" --server "http://127.0.0.1:$PORT" --data-dir "$DATA" "$@"
fi
