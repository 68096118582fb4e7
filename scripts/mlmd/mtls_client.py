"""A pytest plugin that makes every MetadataStore the official suite builds connect over mutual TLS.

MLMD's own test file builds its client config from --grpc_host and --grpc_port only; this adds the `ssl_config`
the official client reads (custom_ca: the CA to verify the server with; server_cert: the client's own certificate
chain, as MLMD names it; client_key: its key) from PROVENANCE_MLMD_CA, PROVENANCE_MLMD_CLIENT_CERT and
PROVENANCE_MLMD_CLIENT_KEY, the way a TFX deployment configures it.
"""
import os

from ml_metadata.metadata_store import metadata_store

_connect = metadata_store.MetadataStore.__init__


def _read(variable):
    with open(os.environ[variable], encoding="ascii") as handle:
        return handle.read()


def _over_mutual_tls(self, config, *args, **kwargs):
    if getattr(config, "host", "") and not config.HasField("ssl_config"):
        config.ssl_config.custom_ca = _read("PROVENANCE_MLMD_CA")
        config.ssl_config.server_cert = _read("PROVENANCE_MLMD_CLIENT_CERT")
        config.ssl_config.client_key = _read("PROVENANCE_MLMD_CLIENT_KEY")
    _connect(self, config, *args, **kwargs)


metadata_store.MetadataStore.__init__ = _over_mutual_tls
