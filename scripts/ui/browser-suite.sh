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
cleanup() { rm -rf "$WORK"; }
# The example's steps run from the repository's root, as the README's walk-through runs them.
start_server_with_executor "$BIN" "$WORK" ui-suite
rm -rf .build-ui/screenshots
status=0
PROVENANCE_UI_SERVER="$SERVER_URL" PROVENANCE_TOKEN="$ADMIN_TOKEN" PROVENANCE_BIN="$BIN" \
    "$UI_VENV/bin/python" -m pytest -q -p no:cacheprovider scripts/ui/test_pages.py || status=$?
[ "$status" -eq 0 ] || print_suite_logs "$WORK"
echo "screenshots: $(pwd)/.build-ui/screenshots"
exit "$status"
