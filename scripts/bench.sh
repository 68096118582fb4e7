#!/bin/sh
# Runs `provenance bench ingest`, `lineage` or `orchestrate` against a release-built server on a fresh embedded
# cluster, then stops it. Usage: scripts/bench.sh ingest|lineage|orchestrate [benchmark options, e.g. --artifacts 1000000].
set -eu
cd "$(dirname "$0")/.."
BENCHMARK="${1:?usage: scripts/bench.sh ingest|lineage|orchestrate [options]}"
shift
. scripts/lib/server.sh
start_bench_server /tmp/provenance-bench/postgres
"$BIN" bench "$BENCHMARK" --server "http://127.0.0.1:$PORT" --data-dir "$DATA" "$@"
