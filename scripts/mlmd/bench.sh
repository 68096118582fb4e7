#!/bin/sh
# Runs scripts/mlmd/bench.py: Provenance's MLMD gRPC service (release build, fresh embedded cluster) against
# MLMD's own store on the same PostgreSQL server, both through the official ml-metadata client.
# Usage: scripts/mlmd/bench.sh [--records N] [--queries N]
set -eu
cd "$(dirname "$0")/../.."
. scripts/lib/server.sh
mlmd_venv
BIN="${BENCH_BIN:-$(swift build -c release --show-bin-path)/provenance}"
DATA="${BENCH_DATA_DIR:-/tmp/provenance-bench-mlmd/postgres}"
PORT="${BENCH_PORT:-18080}"
GRPC_PORT="${BENCH_GRPC_PORT:-18081}"
if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then
    echo "a server already listens on port $PORT; stop it or set BENCH_PORT" >&2
    exit 1
fi
rm -rf "$DATA"
mkdir -p "$(dirname "$DATA")" && chmod 755 "$(dirname "$DATA")"
start_server "$BIN" "$DATA" "$PORT" "$GRPC_PORT" "$(dirname "$DATA")/server.log"
"$VENV/bin/python" scripts/mlmd/bench.py --grpc-port "$GRPC_PORT" --postgres-socket-dir "$DATA" "$@"
