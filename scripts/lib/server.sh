# Sourced by the scripts that run a throwaway server (scripts/bench.sh, scripts/mlmd/*.sh).
#
# start_server BIN DATA_DIR HTTP_PORT GRPC_PORT LOG [SERVE_ARGUMENTS...]: starts `BIN serve` on DATA_DIR (without its
# local executor) in the background (its pid in SERVER), stops it when the script exits, and waits until it answers
# /readyz and its gRPC port takes HTTP/2. With TLS, SERVER_SCHEME=https and SERVER_CURL (curl's certificate options)
# say how to reach it. If it dies or is not ready within two minutes, prints LOG and exits 1.
start_server() {
    bin=$1 data=$2 http=$3 grpc=$4 log=$5
    shift 5
    "$bin" serve --data-dir "$data" --http-port "$http" --grpc-port "$grpc" --log-level warning --local-executor false \
        "$@" >"$log" 2>&1 &
    SERVER=$!
    SERVER_LOG=$log
    trap stop_server EXIT
    scheme=${SERVER_SCHEME:-http}
    for _ in $(seq 1 240); do
        # shellcheck disable=SC2086
        if curl -fsS ${SERVER_CURL:-} "$scheme://127.0.0.1:$http/readyz" >/dev/null 2>&1 \
            && if [ "$scheme" = https ]; then
                curl -s -o /dev/null --max-time 2 ${SERVER_CURL:-} "https://127.0.0.1:$grpc/"
            else
                curl -s -o /dev/null --max-time 2 --http2-prior-knowledge "http://127.0.0.1:$grpc/"
            fi; then
            return 0
        fi
        kill -0 "$SERVER" 2>/dev/null || break
        sleep 0.5
    done
    echo "the server did not become ready; its log ($log):" >&2
    cat "$log" >&2
    exit 1
}

# start_bench_server DEFAULT_DATA_DIR: starts a release-built server for a benchmark on a fresh embedded cluster in
# DEFAULT_DATA_DIR (wiped first). BENCH_BIN, BENCH_DATA_DIR, BENCH_PORT and BENCH_GRPC_PORT override the binary, the
# data directory and the ports; BENCH_SERVE_ARGS adds serve options (as --otel-endpoint URL). Sets BIN, DATA, PORT
# and GRPC_PORT. Refuses to run while a server holds the port.
start_bench_server() {
    BIN="${BENCH_BIN:-$(swift build -c release --show-bin-path)/provenance}"
    DATA="${BENCH_DATA_DIR:-$1}"
    PORT="${BENCH_PORT:-18080}"
    GRPC_PORT="${BENCH_GRPC_PORT:-18081}"
    if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then
        echo "a server already listens on port $PORT; stop it or set BENCH_PORT" >&2
        exit 1
    fi
    rm -rf "$DATA"
    # The embedded cluster may run as another user (initdb refuses root): let it reach its data directory.
    mkdir -p "$(dirname "$DATA")" && chmod 755 "$(dirname "$DATA")"
    # shellcheck disable=SC2086
    start_server "$BIN" "$DATA" "$PORT" "$GRPC_PORT" "$(dirname "$DATA")/server.log" ${BENCH_SERVE_ARGS:-}
}

# start_server_with_executor BIN WORK NAME: starts a server on a fresh embedded cluster in WORK/postgres with an admin
# token, and a real `provenance executor` named NAME attached to it (steps run from the current directory, their
# files under WORK; its log in WORK/executor.log). Sets SERVER_URL, ADMIN_TOKEN and EXECUTOR (stop_executor stops it).
start_server_with_executor() {
    bin=$1 work=$2 name=$3
    chmod 755 "$work"
    free_ports
    start_server "$bin" "$work/postgres" "$HTTP_PORT" "$GRPC_PORT" "$work/server.log" --admin-token-file "$work/admin.token"
    SERVER_URL="http://127.0.0.1:$HTTP_PORT"
    ADMIN_TOKEN=$(cat "$work/admin.token")
    executor_token=$("$bin" tokens create --role executor --namespace '*' --name "$name" --data-dir "$work/postgres" 2>/dev/null)
    PROVENANCE_TOKEN="$executor_token" "$bin" executor --server "$SERVER_URL" --slots 2 --name "$name" \
        --work-dir "$work/work" --artifact-root "$work/artifacts" --poll-wait 2s >"$work/executor.log" 2>&1 &
    EXECUTOR=$!
}

# stop_executor: stops the executor start_server_with_executor started, if any.
stop_executor() {
    if [ -n "${EXECUTOR:-}" ]; then
        kill -TERM "$EXECUTOR" 2>/dev/null || true
        wait "$EXECUTOR" 2>/dev/null || true
        EXECUTOR=""
    fi
}

# print_suite_logs WORK: the ends of the server's and the executor's logs, after a failed suite.
print_suite_logs() {
    echo "--- the server's log" >&2; tail -n 60 "$1/server.log" >&2
    echo "--- the executor's log" >&2; tail -n 60 "$1/executor.log" >&2
}

# stop_server: stops the executor of start_server_with_executor if any, then the server start_server started
# (SIGTERM, then waits for it), and runs `cleanup` if the script defines one.
stop_server() {
    stop_executor
    kill -TERM "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
    if command -v cleanup >/dev/null 2>&1; then cleanup; fi
}

# mlmd_venv: makes the Python virtual environment with the official ml-metadata client (.build-mlmd/venv) on first
# use, and sets VENV.
mlmd_venv() {
    VENV=.build-mlmd/venv
    if [ ! -x "$VENV/bin/pytest" ] || ! "$VENV/bin/python" -c 'import openlineage.client' 2>/dev/null; then
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install --quiet --disable-pip-version-check -r scripts/mlmd/requirements.txt
    fi
}

# browser_environment: makes sure headless Chromium and its driver are installed (Debian's chromium and
# chromium-driver, through apt-get, as root or with sudo) and the browser suite's virtual environment exists
# (.build-ui/venv, from scripts/ui/requirements.txt); sets UI_VENV.
browser_environment() {
    if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
        sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
    fi
    UI_VENV=.build-ui/venv
    if [ ! -x "$UI_VENV/bin/pytest" ] || ! "$UI_VENV/bin/python" -c 'import selenium, openlineage.client' 2>/dev/null; then
        python3 -m venv "$UI_VENV"
        "$UI_VENV/bin/pip" install --quiet --disable-pip-version-check -r scripts/ui/requirements.txt
    fi
}

# free_ports: sets HTTP_PORT and GRPC_PORT to two ports free on 127.0.0.1 now (asked of the kernel through python3).
free_ports() {
    ports=$(python3 -c '
import socket
sockets = [socket.socket() for _ in range(2)]
for s in sockets: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))')
    HTTP_PORT=${ports% *}
    GRPC_PORT=${ports#* }
}
