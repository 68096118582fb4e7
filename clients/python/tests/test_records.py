"""Types, nodes, events, records and the lineage questions, through the client against a real server."""

import uuid

import pytest

from provenance_client import Client, Conflict, NotFound, ProvenanceError


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def types(client: Client) -> None:
    client.create_type("artifact", "Examples", base_type="DATASET", properties={"rows": "INT"})
    client.create_type("artifact", "Ranker", base_type="MODEL", properties={"accuracy": "DOUBLE"})
    client.create_type("execution", "Trainer", base_type="TRAIN")
    client.create_type("context", "Pipeline")


def test_a_recorded_execution_answers_the_lineage_questions(client: Client, types: None) -> None:
    source = unique("ds")
    ids = client.record_execution(
        {"type": "Trainer", "last_known_state": "COMPLETE"},
        inputs=[{"type": "Examples", "uri": f"s3://data/{source}", "external_id": source, "properties": {"rows": 10}}],
        outputs=[{"type": "Ranker", "uri": f"s3://models/{source}", "properties": {"accuracy": 0.93}}],
        contexts=[{"type": "Pipeline", "name": unique("churn")}])
    dataset, model = ids["artifact_ids"]
    assert client.artifacts.get(model)["properties"]["accuracy"] == {"double": 0.93}
    assert [a["artifact"]["id"] for a in client.provenance(model)["artifacts"]] == [dataset]
    assert model in [a["artifact"]["id"] for a in client.impact(dataset)["artifacts"]]
    graph = client.subgraph(artifact_ids=[model], direction="UPSTREAM", read_mask=["artifacts", "executions", "events"])
    assert {a["id"] for a in graph["artifacts"]} == {dataset, model}
    assert {e["type"] for e in client.events(execution_ids=[ids["execution_id"]])} == {"INPUT", "OUTPUT"}
    # The dataset is found again by its external id, not duplicated.
    again = client.record_execution({"type": "Trainer"}, inputs=[{"type": "Examples", "external_id": source}])
    assert again["artifact_ids"] == [dataset]


def test_listings_are_iterators_over_every_page(client: Client, types: None) -> None:
    batch = unique("page")
    client.record_lineage(artifacts=[{"type": "Examples", "uri": f"s3://{batch}/{i}"} for i in range(250)])
    found = list(client.artifacts.list(type="Examples", filter=f"uri LIKE 's3://{batch}/%'", page_size=100))
    assert len(found) == 250 and len({a["id"] for a in found}) == 250
    assert len(list(client.artifacts.list(type="Examples", filter=f"uri LIKE 's3://{batch}/%'", limit=7))) == 7


def test_errors_carry_the_servers_code_message_and_field(client: Client, types: None) -> None:
    with pytest.raises(NotFound) as missing:
        client.artifacts.get(987654321)
    assert missing.value.status == 404 and missing.value.code == "not_found"
    with pytest.raises(ProvenanceError) as bad:
        list(client.artifacts.list(filter="uri ==== 'x'"))
    assert bad.value.status == 400 and bad.value.code == "invalid_argument" and bad.value.field == "filter"
    created = client.artifacts.create("Examples", uri=f"s3://{unique('rev')}")
    client.artifacts.update(created["id"], revision=created["revision"], state="LIVE")
    with pytest.raises(Conflict):
        client.artifacts.update(created["id"], revision=created["revision"], state="ABANDONED")
    assert client.artifacts.get(created["id"])["state"] == "LIVE"
