"""The official ml-metadata client connected to Provenance in one namespace, as the Python suites here use it.

Over mutual TLS when PROVENANCE_MLMD_CA, PROVENANCE_MLMD_CLIENT_CERT and PROVENANCE_MLMD_CLIENT_KEY are set (how a
TFX deployment configures the client), in plain gRPC otherwise; every call carries the namespace in the
`x-provenance-namespace` metadata header, which the server reads.
"""
import os

import grpc
from ml_metadata import metadata_store
from ml_metadata.proto import metadata_store_pb2
from ml_metadata.proto import metadata_store_service_pb2_grpc

CA = os.environ.get("PROVENANCE_MLMD_CA")


class InNamespace(grpc.UnaryUnaryClientInterceptor):
    """Sends every call to one namespace."""

    def __init__(self, namespace):
        self.namespace = namespace

    def intercept_unary_unary(self, continuation, details, request):
        metadata = list(details.metadata or []) + [("x-provenance-namespace", self.namespace)]
        return continuation(details._replace(metadata=metadata), request)


def _read(variable):
    with open(os.environ[variable], "rb") as handle:
        return handle.read()


def connect(namespace, grpc_port):
    """A MetadataStore of the official client on Provenance's gRPC port, in `namespace`."""
    config = metadata_store_pb2.MetadataStoreClientConfig(host="127.0.0.1", port=grpc_port)
    if CA:
        config.ssl_config.custom_ca = _read("PROVENANCE_MLMD_CA").decode()
        config.ssl_config.server_cert = _read("PROVENANCE_MLMD_CLIENT_CERT").decode()
        config.ssl_config.client_key = _read("PROVENANCE_MLMD_CLIENT_KEY").decode()
        credentials = grpc.ssl_channel_credentials(
            _read("PROVENANCE_MLMD_CA"), _read("PROVENANCE_MLMD_CLIENT_KEY"), _read("PROVENANCE_MLMD_CLIENT_CERT"))
        plain = grpc.secure_channel(f"127.0.0.1:{grpc_port}", credentials)
    else:
        plain = grpc.insecure_channel(f"127.0.0.1:{grpc_port}")
    store = metadata_store.MetadataStore(config)
    channel = grpc.intercept_channel(plain, InNamespace(namespace))
    store._metadata_store_stub = metadata_store_service_pb2_grpc.MetadataStoreServiceStub(channel)  # pylint: disable=protected-access
    return store
