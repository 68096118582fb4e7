#!/bin/sh
# Runs scripts/mlmd/bench.py: Provenance's MLMD gRPC service (release build, fresh embedded cluster) against
# MLMD's own store on the same PostgreSQL server, both through the official ml-metadata client.
# Usage: scripts/mlmd/bench.sh [--records N] [--queries N]
set -eu
cd "$(dirname "$0")/../.."
VENV=.build-mlmd/venv
BIN="${BENCH_BIN:-$(swift build -c release --show-bin-path)/provenance}"
DATA="${BENCH_DATA_DIR:-/tmp/provenance-bench-mlmd/postgres}"
PORT="${BENCH_PORT:-18080}"
GRPC_PORT="${BENCH_GRPC_PORT:-18081}"
if [ ! -x "$VENV/bin/pytest" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r scripts/mlmd/requirements.txt
fi
if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then
    echo "a server already listens on port $PORT; stop it or set BENCH_PORT" >&2
    exit 1
fi
rm -rf "$DATA"
mkdir -p "$(dirname "$DATA")" && chmod 755 "$(dirname "$DATA")"
"$BIN" serve --data-dir "$DATA" --http-port "$PORT" --grpc-port "$GRPC_PORT" --log-level warning &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then break; fi
    sleep 0.5
done
"$VENV/bin/python" scripts/mlmd/bench.py --grpc-port "$GRPC_PORT" --postgres-socket-dir "$DATA" "$@"
