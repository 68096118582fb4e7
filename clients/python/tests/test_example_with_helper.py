"""The copy of the example pipeline whose steps use the step helper (examples/personalization-client), run twice
for one customer by a real executor: the second run warm-starts from the first run's LIVE model, and one of the
two models is LIVE after it."""

import pathlib
import sys

from provenance_client import Client

REPOSITORY = pathlib.Path(__file__).resolve().parents[3]


def test_the_example_written_with_the_step_helper_runs_and_serves_one_model(client: Client, tmp_path: pathlib.Path) -> None:
    spec = (REPOSITORY / "examples" / "personalization-client" / "pipeline.yaml").read_text()
    # The steps run with this interpreter, which has the client installed.
    local = tmp_path / "pipeline.yaml"
    local.write_text(spec.replace("command: [python3, ", f"command: [{sys.executable}, "))
    client.apply_file(str(local))
    first = client.runs.run("personalization-client", {"customer": "hooli", "serving_dir": str(tmp_path / "serving")})
    second = client.runs.run("personalization-client", {"customer": "hooli", "seed": 8, "days": 21,
                                                        "serving_dir": str(tmp_path / "serving")})
    trained = [next(t for t in run["tasks"] if t["step"] == "train") for run in (first, second)]
    assert any("warm start from" in line["text"] for line in client.runs.logs(trained[1]["id"]))
    models = [client.artifacts.get(t["outputs"][0]["artifact_id"]) for t in trained]
    assert sorted(m["state"] for m in models) in (["ABANDONED", "LIVE"], ["LIVE", "PENDING"])
    assert models[0]["custom_properties"]["framework"] == {"string": "python-stdlib"}
    assert models[1]["custom_properties"]["warm_started"] == {"bool": True}
    series = {s["name"]: s for s in client.metrics.series(second["id"])}
    assert series["batch_log_loss"]["points"] > 100 and series["epoch_log_loss"]["points"] == 4
    evaluation = next(t for t in second["tasks"] if t["step"] == "validate")["outputs"][0]["artifact_id"]
    assert "metrics.auc" in client.artifacts.get(evaluation)["custom_properties"]
