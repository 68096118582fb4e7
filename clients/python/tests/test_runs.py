"""Pipelines, runs, logs, metrics and the live stream through the client, with a real executor running the
example pipeline's steps."""

import pathlib

from provenance_client import Client

REPOSITORY = pathlib.Path(__file__).resolve().parents[3]


def test_a_run_is_submitted_waited_for_and_read_with_its_logs_and_metrics(example: Client) -> None:
    run = example.runs.run("personalization", {"customer": "initech"}, labels={"tier": "gold"})
    assert run["state"] == "SUCCEEDED" and [t["state"] for t in run["tasks"]] == ["SUCCEEDED"] * 5
    assert run["id"] in [r["id"] for r in example.runs.list(pipeline="personalization", labels={"tier": "gold"})]
    train = next(t for t in run["tasks"] if t["step"] == "train")
    assert any("epoch 4" in line["text"] for line in example.runs.logs(train["id"]))
    series = {s["name"]: s for s in example.metrics.series(run["id"])}
    assert series["batch_log_loss"]["step"] == "train"
    history = list(example.metrics.history(run["id"], "batch_log_loss", task_id=train["id"], page_size=100))
    assert len(history) == series["batch_log_loss"]["points"]
    assert [p["step"] for p in history] == sorted(p["step"] for p in history)
    downsampled = example.metrics.downsample([run["id"]], ["batch_log_loss"], max_points=50, step="train")
    assert sum(downsampled[0]["buckets"]["count"]) == len(history)
    assert max(downsampled[0]["buckets"]["max"]) == max(p["value"] for p in history)


def test_run_metrics_compare_and_diff(example: Client) -> None:
    first = example.runs.run("personalization", {"customer": "umbrella"})
    second = example.runs.run("personalization", {"customer": "umbrella", "epochs": 2})
    for run, auc in ((first, 0.8), (second, 0.9)):
        example.metrics.log(run["id"], "auc", auc)
    table = example.metrics.compare(runs=[first["id"], second["id"]], sort="-metric:auc")
    assert [r["run_id"] for r in table["runs"]] == [second["id"], first["id"]]
    assert table["runs"][0]["metrics"]["auc"] == 0.9
    diff = example.metrics.diff(first["id"], second["id"])
    assert diff["parameters"]["epochs"] == {"a": 4, "b": 2, "changed": True, "from": {"a": "default", "b": "run"}}


def test_the_stream_follows_a_run_to_its_end(example: Client, tmp_path: pathlib.Path) -> None:
    example.apply_file(str(REPOSITORY / "scripts" / "ui" / "hold-pipeline.yaml"))
    release = tmp_path / "release"
    run = example.runs.submit("ui-hold", {"path": str(release)})
    states = []
    stream = example.stream(run=run["id"], kinds=["run", "tasks"], last_event_id=None)
    for event in stream:
        if event.kind == "tasks":
            for task in event.data["tasks"]:
                states.append((task["step"], task["state"]))
                if task["step"] == "hold" and task["state"] == "RUNNING":
                    release.write_text("go")
        if event.kind == "run" and event.data["state"] == "SUCCEEDED":
            break
    assert ("hold", "SUCCEEDED") in states and ("after", "SUCCEEDED") in states
    assert stream.last_event_id, "the stream knows where to resume"
