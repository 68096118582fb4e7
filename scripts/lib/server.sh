# Sourced by the scripts that run a throwaway server (scripts/bench.sh, scripts/mlmd/*.sh).
#
# start_server BIN DATA_DIR HTTP_PORT GRPC_PORT LOG: starts `BIN serve` on DATA_DIR in the background (its pid in
# SERVER), stops it when the script exits, and waits until it answers /readyz and its gRPC port takes HTTP/2. If
# it dies or is not ready within two minutes, prints LOG and exits 1.
start_server() {
    "$1" serve --data-dir "$2" --http-port "$3" --grpc-port "$4" --log-level warning >"$5" 2>&1 &
    SERVER=$!
    SERVER_LOG=$5
    trap stop_server EXIT
    for _ in $(seq 1 240); do
        if curl -fsS "http://127.0.0.1:$3/readyz" >/dev/null 2>&1 \
            && curl -s -o /dev/null --max-time 2 --http2-prior-knowledge "http://127.0.0.1:$4/"; then
            return 0
        fi
        kill -0 "$SERVER" 2>/dev/null || break
        sleep 0.5
    done
    echo "the server did not become ready; its log ($5):" >&2
    cat "$5" >&2
    exit 1
}

# stop_server: stops the server start_server started (SIGTERM, then waits for it), and runs `cleanup` if the
# script defines one.
stop_server() {
    kill -TERM "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
    if command -v cleanup >/dev/null 2>&1; then cleanup; fi
}

# mlmd_venv: makes the Python virtual environment with the official ml-metadata client (.build-mlmd/venv) on first
# use, and sets VENV.
mlmd_venv() {
    VENV=.build-mlmd/venv
    if [ ! -x "$VENV/bin/pytest" ]; then
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install --quiet --disable-pip-version-check -r scripts/mlmd/requirements.txt
    fi
}
