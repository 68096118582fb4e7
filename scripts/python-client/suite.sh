#!/bin/sh
# Runs the Python client's own suite (clients/python/tests) against a server on a fresh embedded cluster with an
# admin token and a real `provenance executor` attached, after mypy (strict) over the package and its tests. The
# package is installed with pip into a virtual environment made on first use (.build-pyclient/venv). `make test`
# runs this.
set -eu
cd "$(dirname "$0")/../.."
. scripts/lib/server.sh
VENV=.build-pyclient/venv
[ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV"
# Reinstalled each time: the package is the code under test.
"$VENV/bin/pip" install --quiet --disable-pip-version-check "./clients/python[test]"
(cd clients/python && "../../$VENV/bin/mypy" provenance_client tests)
BIN="${PROVENANCE_BIN:-$(swift build --show-bin-path)/provenance}"
WORK=$(mktemp -d /tmp/provenance-python-client.XXXXXX)
cleanup() { rm -rf "$WORK"; }
start_server_with_executor "$BIN" "$WORK" python-suite
status=0
PROVENANCE_SERVER="$SERVER_URL" PROVENANCE_TOKEN="$ADMIN_TOKEN" \
    "$VENV/bin/python" -m pytest -q -p no:cacheprovider clients/python/tests || status=$?
[ "$status" -eq 0 ] || print_suite_logs "$WORK"
exit "$status"
