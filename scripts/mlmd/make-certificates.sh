#!/bin/sh
# make-certificates.sh DIR: a throwaway PKI for the MLMD suite over mutual TLS, made with openssl: ca.pem (the CA),
# server.pem/server.key (for 127.0.0.1 and localhost, its chain with the CA), and mlmd-suite.pem/mlmd-suite.key, the
# client certificate the official client presents (subject CN=mlmd-suite).
set -eu
cd "$1"
key() { openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "$@" 2>/dev/null; }
key -x509 -days 2 -subj /CN=provenance-test-ca -keyout ca.key -out ca.pem
sign() { # NAME SUBJECT EXTENSIONS
    key -subj "$2" -keyout "$1.key" -out "$1.csr"
    printf '%b' "$3" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}
sign server /CN=provenance-test-server 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'
sign mlmd-suite /CN=mlmd-suite 'extendedKeyUsage=clientAuth\n'
cat server.pem ca.pem > server-chain.pem
