#!/bin/sh
# The web UI's speed: a release-built server on a fresh embedded cluster (no token made, so the UI reads it
# openly on loopback), then scripts/ui/bench.py in headless Chromium (set up as the browser suite sets it up).
# Usage: scripts/ui/bench.sh [--loads N]
set -eu
cd "$(dirname "$0")/../.."
. scripts/lib/server.sh
browser_environment
start_bench_server /tmp/provenance-bench-ui/postgres
"$UI_VENV/bin/python" scripts/ui/bench.py --server "http://127.0.0.1:$PORT" "$@"
