#!/bin/sh
# Runs the official `ml-metadata` client's own test suite (metadata_store_test.py, shipped in the wheel) against
# Provenance's MLMD gRPC service over mutual TLS: a server on a fresh embedded cluster, the suite in gRPC mode, then
# scripts/mlmd/limits_test.py (values at the server's limits read back through the same client), then the server
# stopped; then scripts/openlineage/openlineage_test.py (the openlineage-python client's events, read back through REST,
# this client and the Marquez-shaped read). Fails if any case fails. Needs Python 3.11 (the wheel is built for it); the virtual environment is made
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
free_ports
# Over mutual TLS, as MLMD's official client authenticates (it can send no token): a CA made here signs the server's
# certificate and the suite's client certificate, whose subject the grants file makes a writer.
PKI="$WORK/pki"
mkdir -p "$PKI"
scripts/mlmd/make-certificates.sh "$PKI"
printf '%s\n' '- {subject: CN=mlmd-suite, role: writer, namespaces: [default, limits, airflow-retail]}' > "$PKI/grants.yaml"
export SERVER_SCHEME=https SERVER_CURL="--cacert $PKI/ca.pem --cert $PKI/mlmd-suite.pem --key $PKI/mlmd-suite.key"
start_server "$BIN" "$WORK/postgres" "$HTTP_PORT" "$GRPC_PORT" "$WORK/server.log" \
    --tls-cert "$PKI/server-chain.pem" --tls-key "$PKI/server.key" --tls-client-ca "$PKI/ca.pem" \
    --client-certificates "$PKI/grants.yaml"
export PROVENANCE_MLMD_CA="$PKI/ca.pem" PROVENANCE_MLMD_CLIENT_CERT="$PKI/mlmd-suite.pem" \
    PROVENANCE_MLMD_CLIENT_KEY="$PKI/mlmd-suite.key"
SUITE="$($VENV/bin/python -c 'import ml_metadata, os; print(os.path.dirname(ml_metadata.__file__))')/metadata_store"
# The four deselected cases are broken in the test file itself in gRPC mode (they build a store without the
# connection arguments); MLMD marks two more as xfail. Every other case must pass.
(cd "$SUITE" && PYTHONPATH="$OLDPWD/scripts/mlmd" "$OLDPWD/$VENV/bin/python" -m pytest -q -p no:cacheprovider \
    -p mtls_client metadata_store_test.py --use_grpc_backend --grpc_host 127.0.0.1 --grpc_port "$GRPC_PORT" \
    -k "not grpc_max_receive and not ping_strikes and not client_timeout")
# Provenance's own checks with the official client: every value the server accepts reads back through it. Its REST
# calls use an admin token made on the server's database.
PROVENANCE_TOKEN=$("$BIN" tokens create --admin --name limits-test --data-dir "$WORK/postgres" 2>/dev/null)
export PROVENANCE_TOKEN PROVENANCE_HTTP_PORT="$HTTP_PORT" PROVENANCE_GRPC_PORT="$GRPC_PORT"
PYTHONPATH=scripts/mlmd "$VENV/bin/python" -m pytest -q -p no:cacheprovider scripts/mlmd/limits_test.py
# OpenLineage as it comes, with an API key that may write only where the DAG's events land (a token names
# existing namespaces: the admin makes it first).
# shellcheck disable=SC2086
curl -fsS $SERVER_CURL -o /dev/null -H "Authorization: Bearer $PROVENANCE_TOKEN" -H 'Content-Type: application/json' \
    -d '{"name": "airflow-retail"}' "https://127.0.0.1:$HTTP_PORT/api/v1/namespaces"
PROVENANCE_OPENLINEAGE_TOKEN=$("$BIN" tokens create --role writer --namespace airflow-retail --name airflow \
    --data-dir "$WORK/postgres" 2>/dev/null) \
PYTHONPATH=scripts/mlmd "$VENV/bin/python" -m pytest -q -p no:cacheprovider scripts/openlineage/openlineage_test.py
