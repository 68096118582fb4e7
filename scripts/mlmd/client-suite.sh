#!/bin/sh
# Runs the official `ml-metadata` client's own test suite (metadata_store_test.py, shipped in the wheel) against
# Provenance's MLMD gRPC service: a server on a fresh embedded cluster, the suite in gRPC mode, then
# scripts/mlmd/limits_test.py (values at the server's limits read back through the same client), then the server
# stopped. Fails if any case fails. Needs Python 3.11 (the wheel is built for it); the virtual environment is made
# on first use. `make test` runs this after the Swift suites.
set -eu
cd "$(dirname "$0")/../.."
. scripts/lib/server.sh
mlmd_venv
BIN="${PROVENANCE_BIN:-$(swift build --show-bin-path)/provenance}"
WORK=$(mktemp -d /tmp/provenance-mlmd-suite.XXXXXX)
cleanup() { rm -rf "$WORK"; }
# The embedded cluster may run as another user (initdb refuses root): let it reach its data directory.
chmod 755 "$WORK"
PORTS=$("$VENV/bin/python" -c '
import socket
sockets = [socket.socket() for _ in range(2)]
for s in sockets: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))')
HTTP_PORT=${PORTS% *}
GRPC_PORT=${PORTS#* }
start_server "$BIN" "$WORK/postgres" "$HTTP_PORT" "$GRPC_PORT" "$WORK/server.log"
SUITE="$($VENV/bin/python -c 'import ml_metadata, os; print(os.path.dirname(ml_metadata.__file__))')/metadata_store"
# The four deselected cases are broken in the test file itself in gRPC mode (they build a store without the
# connection arguments); MLMD marks two more as xfail. Every other case must pass.
(cd "$SUITE" && "$OLDPWD/$VENV/bin/python" -m pytest -q -p no:cacheprovider metadata_store_test.py \
    --use_grpc_backend --grpc_host 127.0.0.1 --grpc_port "$GRPC_PORT" \
    -k "not grpc_max_receive and not ping_strikes and not client_timeout")
# Provenance's own checks with the official client: every value the server accepts reads back through it.
PROVENANCE_HTTP_PORT="$HTTP_PORT" PROVENANCE_GRPC_PORT="$GRPC_PORT" \
    "$VENV/bin/python" -m pytest -q -p no:cacheprovider scripts/mlmd/limits_test.py
