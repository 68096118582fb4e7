#!/bin/sh
# Runs the web UI's browser suite (scripts/ui/test_pages.py): a server on a fresh embedded cluster with an admin
# token, a real `provenance executor` attached to it, and headless Chromium (Debian's chromium and
# chromium-driver, installed here when missing) driven by selenium from a virtual environment made on first use
# (.build-ui/venv). Screenshots of every check land in .build-ui/screenshots/. `make test` runs this.
set -eu
cd "$(dirname "$0")/../.."
. scripts/lib/server.sh
browser_environment
BIN="${PROVENANCE_BIN:-$(swift build --show-bin-path)/provenance}"
WORK=$(mktemp -d /tmp/provenance-ui-suite.XXXXXX)
EXECUTOR=""
cleanup() {
    if [ -n "$EXECUTOR" ]; then kill -TERM "$EXECUTOR" 2>/dev/null || true; wait "$EXECUTOR" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
# The embedded cluster may run as another user (initdb refuses root): let it reach its data directory.
chmod 755 "$WORK"
free_ports
start_server "$BIN" "$WORK/postgres" "$HTTP_PORT" "$GRPC_PORT" "$WORK/server.log" --admin-token-file "$WORK/admin.token"
SERVER_URL="http://127.0.0.1:$HTTP_PORT"
EXECUTOR_TOKEN=$("$BIN" tokens create --role executor --namespace '*' --name ui-suite-executor --data-dir "$WORK/postgres" 2>/dev/null)
# The example's steps run from the repository's root, as the README's walk-through runs them.
PROVENANCE_TOKEN="$EXECUTOR_TOKEN" "$BIN" executor --server "$SERVER_URL" --slots 2 --name ui-suite \
    --work-dir "$WORK/work" --artifact-root "$WORK/artifacts" --poll-wait 2s >"$WORK/executor.log" 2>&1 &
EXECUTOR=$!
rm -rf .build-ui/screenshots
status=0
PROVENANCE_UI_SERVER="$SERVER_URL" PROVENANCE_TOKEN="$(cat "$WORK/admin.token")" PROVENANCE_BIN="$BIN" \
    "$UI_VENV/bin/python" -m pytest -q -p no:cacheprovider scripts/ui/test_pages.py || status=$?
if [ "$status" -ne 0 ]; then
    echo "--- the server's log" >&2; tail -n 60 "$WORK/server.log" >&2
    echo "--- the executor's log" >&2; tail -n 60 "$WORK/executor.log" >&2
fi
echo "screenshots: $(pwd)/.build-ui/screenshots"
exit "$status"
