"""Every value Provenance stores must be readable by the official ml-metadata client.

Run by scripts/mlmd/client-suite.sh against a fresh server (PROVENANCE_HTTP_PORT, PROVENANCE_GRPC_PORT). A struct
property nested as deep as the server accepts comes back through GetArtifacts (the whole namespace) and
GetLineageSubgraph; one level deeper is refused at write time, over REST (400) and over gRPC (INVALID_ARGUMENT),
instead of being stored and then breaking every read that meets it.
"""
import json
import os
import ssl
import urllib.error
import urllib.request

import provenance_mlmd
import pytest
from ml_metadata import errors
from ml_metadata.proto import metadata_store_pb2
from google.protobuf import struct_pb2

# Over TLS when client-suite.sh gives a CA and a client certificate (then REST sends PROVENANCE_TOKEN, and gRPC
# presents the certificate).
CA = os.environ.get("PROVENANCE_MLMD_CA")
SCHEME = "https" if CA else "http"
ROOT = f"{SCHEME}://127.0.0.1:{os.environ['PROVENANCE_HTTP_PORT']}/api/v1/namespaces"
HTTP = ROOT + "/limits"
GRPC_PORT = int(os.environ["PROVENANCE_GRPC_PORT"])
CONTEXT = ssl.create_default_context(cafile=CA) if CA else None
HEADERS = {"Content-Type": "application/json"}
if os.environ.get("PROVENANCE_TOKEN"):
    HEADERS["Authorization"] = "Bearer " + os.environ["PROVENANCE_TOKEN"]
# PropertyValue.maximumStructDepth in ProvenanceCore.
LIMIT = 32


def post(path, body):
    request = urllib.request.Request(HTTP + path, data=json.dumps(body).encode(), method="POST", headers=HEADERS)
    try:
        with urllib.request.urlopen(request, context=CONTEXT) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def nested(depth):
    value = {"leaf": 1}
    for _ in range(depth - 1):
        value = {"k": value}
    return value


@pytest.fixture(scope="module")
def store():
    request = urllib.request.Request(ROOT, data=b'{"name": "limits"}', method="POST", headers=HEADERS)
    urllib.request.urlopen(request, context=CONTEXT)
    assert post("/types", {"kind": "artifact", "name": "Config"})[0] == 201
    assert post("/types", {"kind": "execution", "name": "Step"})[0] == 201
    return provenance_mlmd.connect("limits", GRPC_PORT)


def test_the_deepest_accepted_struct_reads_back_through_the_official_client(store):
    status, written = post(
        "/executions:record",
        {"execution": {"type": "Step"}, "outputs": [{"type": "Config", "custom_properties": {"c": {"struct": nested(LIMIT)}}}]})
    assert status == 201, written
    artifact_id = written["artifact_ids"][0]
    artifacts = store.get_artifacts()
    assert [a.id for a in artifacts] == [artifact_id]
    value = artifacts[0].custom_properties["c"].struct_value
    for _ in range(LIMIT - 1):
        value = value["k"]
    assert value["leaf"] == 1
    query = metadata_store_pb2.LineageSubgraphQueryOptions(
        starting_artifacts=metadata_store_pb2.LineageSubgraphQueryOptions.StartingNodes(filter_query=f"id = {artifact_id}"),
        max_num_hops=2)
    graph = store.get_lineage_subgraph(query)
    assert [a.id for a in graph.artifacts] == [artifact_id]


def test_a_deeper_struct_is_refused_over_rest_and_grpc(store):
    status, answer = post("/artifacts", {"type": "Config", "custom_properties": {"c": {"struct": nested(LIMIT + 1)}}})
    assert status == 400
    assert f"at most {LIMIT} levels deep" in answer["error"]["message"]
    deep = struct_pb2.Struct()
    deep.update(nested(LIMIT + 1))
    artifact = metadata_store_pb2.Artifact(type_id=store.get_artifact_type("Config").id)
    artifact.custom_properties["c"].struct_value.CopyFrom(deep)
    with pytest.raises(errors.InvalidArgumentError):
        store.put_artifacts([artifact])
