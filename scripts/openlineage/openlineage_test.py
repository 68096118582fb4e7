"""OpenLineage as it comes: the unmodified openlineage-python client (from PyPI) sends an Airflow-like DAG's events
to Provenance, and the lineage they make is read back through Provenance's REST routes, MLMD's gRPC API with the
official ml-metadata client, and the Marquez-shaped read.

The DAG `retail_etl` (job namespace airflow://retail, which lands in Provenance's namespace airflow-retail) runs
three tasks over four datasets:

    extract_orders:  postgres orders                  -> s3 staged_orders
    build_features:  s3 staged_orders, postgres customers -> s3 features   (fails once, then succeeds on retry)
    train_model:     s3 features                      -> (a model outside the lineage)

Each task run is a child of the DAG run (the parent run facet). Two clients send: one plain, one with gzip; both
with an API key (a writer token). Run by scripts/mlmd/client-suite.sh against its server (HTTPS with the suite's CA,
gRPC over mutual TLS); PROVENANCE_OPENLINEAGE_TOKEN is the API key, PROVENANCE_TOKEN an admin token for reads.
"""
import json
import os
import ssl
import urllib.parse
import urllib.request
import uuid

import provenance_mlmd
import pytest
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import error_message_run, nominal_time_run, parent_run, schema_dataset

CA = os.environ.get("PROVENANCE_MLMD_CA")
SCHEME = "https" if CA else "http"
BASE = f"{SCHEME}://127.0.0.1:{os.environ['PROVENANCE_HTTP_PORT']}"
GRPC_PORT = int(os.environ["PROVENANCE_GRPC_PORT"])
CONTEXT = ssl.create_default_context(cafile=CA) if CA else None
OL_NAMESPACE = "airflow://retail"
NAMESPACE = "airflow-retail"
PRODUCER = "https://github.com/apache/airflow/tree/providers-openlineage/2.3.0"


def client(compression):
    transport = {
        "type": "http", "url": BASE, "auth": {"type": "api_key", "apiKey": os.environ["PROVENANCE_OPENLINEAGE_TOKEN"]},
    }
    if compression:
        transport["compression"] = compression
    if CA:
        transport["sslContext"] = {"caCertPath": CA}
    return OpenLineageClient(config={"transport": transport})


def get(path):
    request = urllib.request.Request(BASE + path, headers={"Authorization": "Bearer " + os.environ["PROVENANCE_TOKEN"]})
    with urllib.request.urlopen(request, context=CONTEXT) as response:
        return json.load(response)


def table(namespace, name, fields=None):
    facets = {}
    if fields:
        facets["schema"] = schema_dataset.SchemaDatasetFacet(
            fields=[schema_dataset.SchemaDatasetFacetFields(name=field, type="VARCHAR") for field in fields])
    return namespace, name, facets


ORDERS = table("postgres://shop-db:5432", "shop.public.orders", ["order_id", "customer_id", "amount"])
CUSTOMERS = table("postgres://shop-db:5432", "shop.public.customers", ["customer_id", "segment"])
STAGED = table("s3://retail-lake", "staged/orders", ["order_id", "customer_id", "amount"])
FEATURES = table("s3://retail-lake", "features/customer_spend", ["customer_id", "spend_30d", "segment"])
DAG_RUN = str(uuid.UUID(int=0x0192F6A0_2222_7000_8000_000000000100))


def task_events(task, run_id, inputs, outputs, clock, fail=None):
    """START and COMPLETE (or FAIL) of one task run, as Airflow's OpenLineage provider sends them."""
    parent = parent_run.ParentRunFacet(
        run=parent_run.Run(runId=DAG_RUN), job=parent_run.Job(namespace=OL_NAMESPACE, name="retail_etl"))
    nominal = nominal_time_run.NominalTimeRunFacet(nominalStartTime="2026-12-07T00:00:00+00:00")
    job = Job(namespace=OL_NAMESPACE, name=f"retail_etl.{task}")
    ins = [InputDataset(namespace=n, name=name, facets=f) for n, name, f in inputs]
    outs = [OutputDataset(namespace=n, name=name, facets=f) for n, name, f in outputs]
    start = RunEvent(
        eventType=RunState.START, eventTime=f"2026-12-07T02:{clock:02d}:00.000000+00:00",
        run=Run(runId=run_id, facets={"parent": parent, "nominalTime": nominal}), job=job, inputs=ins, outputs=outs,
        producer=PRODUCER)
    end_facets = {"parent": parent}
    if fail:
        end_facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(message=fail, programmingLanguage="python")
    end = RunEvent(
        eventType=RunState.FAIL if fail else RunState.COMPLETE, eventTime=f"2026-12-07T02:{clock + 4:02d}:00.000000+00:00",
        run=Run(runId=run_id, facets=end_facets), job=job, inputs=ins, outputs=outs, producer=PRODUCER)
    return start, end


RUNS = {
    "extract": str(uuid.UUID(int=0x0192F6A0_2222_7000_8000_000000000001)),
    "features_try1": str(uuid.UUID(int=0x0192F6A0_2222_7000_8000_000000000002)),
    "features_try2": str(uuid.UUID(int=0x0192F6A0_2222_7000_8000_000000000003)),
    "train": str(uuid.UUID(int=0x0192F6A0_2222_7000_8000_000000000004)),
}


@pytest.fixture(scope="module")
def dag():
    plain, gzipped = client(None), client("gzip")
    sequence = [
        (plain, task_events("extract_orders", RUNS["extract"], [ORDERS], [STAGED], 0)),
        (gzipped, task_events("build_features", RUNS["features_try1"], [STAGED, CUSTOMERS], [FEATURES], 10,
                              fail="psycopg2.errors.UndefinedTable: relation \"customers\" does not exist")),
        (gzipped, task_events("build_features", RUNS["features_try2"], [STAGED, CUSTOMERS], [FEATURES], 20)),
        (plain, task_events("train_model", RUNS["train"], [FEATURES], [], 30)),
    ]
    for sender, (start, end) in sequence:
        sender.emit(start)
        sender.emit(end)
    # The whole sequence again, as a producer retrying after a timeout would: it must change nothing.
    for sender, (start, end) in sequence:
        sender.emit(end)
        sender.emit(start)
    return sequence


def execution(runs, key):
    return next(e for e in runs if e["external_id"] == RUNS[key])


def test_every_run_is_an_execution_of_its_task_in_the_mapped_namespace_and_replays_made_no_duplicates(dag):
    runs = get(f"/api/v1/namespaces/{NAMESPACE}/executions?page_size=100")["executions"]
    assert sorted(e["external_id"] for e in runs) == sorted(RUNS.values())
    assert execution(runs, "extract")["type"] == "retail_etl.extract_orders"
    failed = execution(runs, "features_try1")
    assert failed["last_known_state"] == "FAILED"
    assert "UndefinedTable" in failed["custom_properties"]["errorMessage"]["struct"]["message"]
    assert execution(runs, "features_try2")["last_known_state"] == "COMPLETE"
    assert execution(runs, "train")["custom_properties"]["nominalTime"]["struct"]["nominalStartTime"].startswith("2026-12-07")
    datasets = get(f"/api/v1/namespaces/{NAMESPACE}/artifacts?page_size=100")["artifacts"]
    assert len(datasets) == 4, [a["name"] for a in datasets]
    events = get(f"/api/v1/namespaces/{NAMESPACE}/events?execution_id={execution(runs, 'features_try2')['id']}")
    assert sorted(e["type"] for e in events["events"]) == ["INPUT", "INPUT", "OUTPUT"]


def artifact_named(name):
    artifacts = get(f"/api/v1/namespaces/{NAMESPACE}/artifacts?page_size=100")["artifacts"]
    return next(a for a in artifacts if a["custom_properties"]["openlineage_name"]["string"] == name)


def test_provenance_and_impact_answer_what_made_the_features_and_what_the_orders_reached(dag):
    features = artifact_named(FEATURES[1])
    upstream = get(f"/api/v1/namespaces/{NAMESPACE}/artifacts/{features['id']}/provenance")
    names = {a["artifact"]["custom_properties"]["openlineage_name"]["string"] for a in upstream["artifacts"]}
    assert {ORDERS[1], CUSTOMERS[1], STAGED[1]} <= names
    orders = artifact_named(ORDERS[1])
    downstream = get(f"/api/v1/namespaces/{NAMESPACE}/artifacts/{orders['id']}/impact?base_type=DATASET")
    reached = {a["artifact"]["custom_properties"]["openlineage_name"]["string"] for a in downstream["artifacts"]}
    assert {STAGED[1], FEATURES[1]} <= reached


def test_the_official_mlmd_client_reads_jobs_as_contexts_and_the_dag_run_as_their_parent(dag):
    store = provenance_mlmd.connect(NAMESPACE, GRPC_PORT)
    job = store.get_context_by_type_and_name("OpenLineageJob", "retail_etl.build_features")
    assert job is not None
    runs = store.get_executions_by_context(job.id)
    assert sorted(e.external_id for e in runs) == sorted([RUNS["features_try1"], RUNS["features_try2"]])
    parents = store.get_parent_contexts_by_context(job.id)
    assert [p.name for p in parents] == ["retail_etl"]
    dag_run = store.get_context_by_type_and_name("OpenLineageParentRun", DAG_RUN)
    assert len(store.get_executions_by_context(dag_run.id)) == 4
    features = store.get_artifacts_by_type("OpenLineageDataset")
    assert len(features) == 4
    produced = [e for e in store.get_events_by_execution_ids([r.id for r in runs]) if e.type == e.OUTPUT]
    assert len({e.artifact_id for e in produced}) == 1


def test_the_marquez_shaped_read_walks_the_dag_from_the_features(dag):
    node = urllib.parse.quote(f"dataset:{FEATURES[0]}:{FEATURES[1]}", safe="")
    graph = get(f"/api/v1/lineage?nodeId={node}&depth=20")["graph"]
    ids = {n["id"] for n in graph}
    assert ids == {
        f"dataset:{ORDERS[0]}:{ORDERS[1]}", f"dataset:{CUSTOMERS[0]}:{CUSTOMERS[1]}",
        f"dataset:{STAGED[0]}:{STAGED[1]}", f"dataset:{FEATURES[0]}:{FEATURES[1]}",
        f"job:{OL_NAMESPACE}:retail_etl.extract_orders", f"job:{OL_NAMESPACE}:retail_etl.build_features",
        f"job:{OL_NAMESPACE}:retail_etl.train_model",
    }
    build = next(n for n in graph if n["id"] == f"job:{OL_NAMESPACE}:retail_etl.build_features")
    assert build["data"]["latestRun"]["state"] == "COMPLETED"
    assert sorted(e["origin"] for e in build["inEdges"]) == sorted(
        [f"dataset:{STAGED[0]}:{STAGED[1]}", f"dataset:{CUSTOMERS[0]}:{CUSTOMERS[1]}"])
    namespace = urllib.parse.quote(OL_NAMESPACE, safe="")
    runs = get(f"/api/v1/namespaces/{namespace}/jobs/retail_etl.build_features/runs")["runs"]
    assert [r["state"] for r in runs] == ["COMPLETED", "FAILED"]
    features = next(n for n in graph if n["id"].endswith(FEATURES[1]))
    assert [f["name"] for f in features["data"]["fields"]] == ["customer_id", "spend_30d", "segment"]
