#!/bin/sh
# Runs scripts/mlmd/bench.py: Provenance's MLMD gRPC service (release build, fresh embedded cluster) against
# MLMD's own store on the same PostgreSQL server, both through the official ml-metadata client.
# Usage: scripts/mlmd/bench.sh [--records N] [--queries N]
set -eu
cd "$(dirname "$0")/../.."
. scripts/lib/server.sh
mlmd_venv
start_bench_server /tmp/provenance-bench-mlmd/postgres
"$VENV/bin/python" scripts/mlmd/bench.py --grpc-port "$GRPC_PORT" --postgres-socket-dir "$DATA" "$@"
