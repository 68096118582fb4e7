"""The step helper inside steps that a real `provenance executor` runs: parameters, inputs (with their properties
from the server), output locations, streamed metrics and what the step says of its outputs."""

import pathlib
import sys
import uuid

from provenance_client import Client

STEPS = pathlib.Path(__file__).resolve().parent / "steps"


def test_steps_written_with_the_helper_run_and_report(client: Client) -> None:
    suffix = uuid.uuid4().hex[:6]
    # The steps run with this interpreter, which has the package installed.
    client.apply({"name": f"make-data-{suffix}", "version": "1", "parameters": {"rows": "INT"},
                  "outputs": {"data": "Dataset"}, "run": {"command": [sys.executable, str(STEPS / "make_data.py")]}})
    client.apply({"name": f"train-helper-{suffix}", "version": "1", "parameters": {"epochs": {"type": "INT", "default": 3}},
                  "inputs": {"data": "Dataset"}, "outputs": {"model": "Model"},
                  "run": {"command": [sys.executable, str(STEPS / "train_with_helper.py")]}})
    client.apply({"name": f"helper-{suffix}", "parameters": {"rows": {"type": "INT", "default": 12}},
                  "steps": {"make": {"component": f"make-data-{suffix}@1", "parameters": {"rows": "{{parameters.rows}}"}},
                            "train": {"component": f"train-helper-{suffix}@1", "inputs": {"data": "make.data"},
                                      "parameters": {"epochs": 5}}}})
    run = client.runs.run(f"helper-{suffix}", {"rows": 20}, timeout=120)
    train = next(t for t in run["tasks"] if t["step"] == "train")
    model = client.artifacts.get(train["outputs"][0]["artifact_id"])
    properties = model["custom_properties"]
    assert properties["framework"] == {"string": "helper-test"}
    assert properties["rows_seen"] == {"int": 20}, "the step read its input's property from the server"
    assert properties["task"] == {"string": f"train/{train['id']}/1"}
    assert properties["metrics.auc"] == {"double": 0.875}
    series = {s["name"]: s for s in client.metrics.series(run["id"])}
    assert series["loss"]["points"] == 5 and series["loss"]["last_value"] == 0.2
    with open(model["uri"]) as handle:
        assert handle.read() == '{"rows": 20}'
