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
"$BIN" serve --data-dir "$DATA" --http-port "$PORT" --grpc-port "${BENCH_GRPC_PORT:-18081}" --log-level warning &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then break; fi
    sleep 0.5
done
"$BIN" bench "$BENCHMARK" --server "http://127.0.0.1:$PORT" --data-dir "$DATA" "$@"
