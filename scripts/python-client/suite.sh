#!/bin/sh
# Runs the Python client's own suite (clients/python/tests) against a server on a fresh embedded cluster with an
# admin token and a real `provenance executor` attached, after mypy (strict) over the package. The package is
# installed with pip into a virtual environment made on first use (.build-pyclient/venv). `make test` runs this.
set -eu
cd "$(dirname "$0")/../.."
. scripts/lib/server.sh
VENV=.build-pyclient/venv
if [ ! -x "$VENV/bin/pytest" ]; then
    python3 -m venv "$VENV"
fi
# Reinstalled each time: the package is the code under test.
"$VENV/bin/pip" install --quiet --disable-pip-version-check "./clients/python[test]"
(cd clients/python && "../../$VENV/bin/mypy" provenance_client tests)
BIN="${PROVENANCE_BIN:-$(swift build --show-bin-path)/provenance}"
WORK=$(mktemp -d /tmp/provenance-python-client.XXXXXX)
EXECUTOR=""
cleanup() {
    if [ -n "$EXECUTOR" ]; then kill -TERM "$EXECUTOR" 2>/dev/null || true; wait "$EXECUTOR" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
chmod 755 "$WORK"
free_ports
start_server "$BIN" "$WORK/postgres" "$HTTP_PORT" "$GRPC_PORT" "$WORK/server.log" --admin-token-file "$WORK/admin.token"
SERVER_URL="http://127.0.0.1:$HTTP_PORT"
EXECUTOR_TOKEN=$("$BIN" tokens create --role executor --namespace '*' --name python-suite-executor --data-dir "$WORK/postgres" 2>/dev/null)
PROVENANCE_TOKEN="$EXECUTOR_TOKEN" "$BIN" executor --server "$SERVER_URL" --slots 2 --name python-suite \
    --work-dir "$WORK/work" --artifact-root "$WORK/artifacts" --poll-wait 2s >"$WORK/executor.log" 2>&1 &
EXECUTOR=$!
status=0
PROVENANCE_SERVER="$SERVER_URL" PROVENANCE_TOKEN="$(cat "$WORK/admin.token")" \
    "$VENV/bin/python" -m pytest -q -p no:cacheprovider clients/python/tests || status=$?
if [ "$status" -ne 0 ]; then
    echo "--- the server's log" >&2; tail -n 60 "$WORK/server.log" >&2
    echo "--- the executor's log" >&2; tail -n 60 "$WORK/executor.log" >&2
fi
exit "$status"
