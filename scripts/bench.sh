#!/bin/sh
# Runs `provenance bench ingest` or `provenance bench lineage` against a release-built server on a fresh embedded
# cluster, then stops it. Usage: scripts/bench.sh ingest|lineage [benchmark options, e.g. --artifacts 1000000].
set -eu
cd "$(dirname "$0")/.."
BENCHMARK="${1:?usage: scripts/bench.sh ingest|lineage [options]}"
shift
BIN="${BENCH_BIN:-$(swift build -c release --show-bin-path)/provenance}"
DATA="${BENCH_DATA_DIR:-/tmp/provenance-bench/postgres}"
PORT="${BENCH_PORT:-18080}"
if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then
    echo "a server already listens on port $PORT; stop it or set BENCH_PORT" >&2
    exit 1
fi
rm -rf "$DATA"
mkdir -p "$(dirname "$DATA")" && chmod 755 "$(dirname "$DATA")"
. scripts/lib/server.sh
start_server "$BIN" "$DATA" "$PORT" "${BENCH_GRPC_PORT:-18081}" "$(dirname "$DATA")/server.log"
"$BIN" bench "$BENCHMARK" --server "http://127.0.0.1:$PORT" --data-dir "$DATA" "$@"
