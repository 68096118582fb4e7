"""Deploys a blessed model: copies it to the serving directory, marks it LIVE, and the model it replaces
ABANDONED (no longer serving). A model that was not blessed is left as it is, and so is the LIVE one."""

import argparse
import json
import os
import shutil

from common import api, write_json, write_outputs


def deploy(model_path, model_id, evaluation_path, current_id, customer, serving_dir, out, set_state):
    """Serves the model at `model_path` if its evaluation blessed it, marking it LIVE and the model `current_id`
    (if any) ABANDONED through `set_state(artifact_id, state)`; answers what the outputs file says."""
    with open(evaluation_path) as handle:
        evaluation = json.load(handle)
    if not evaluation["blessed"]:
        print(f"not deployed: {evaluation['reason']}")
        write_json(out, {"deployed": False, "reason": evaluation["reason"]})
        return {"pushed": {"custom_properties": {"deployed": False, "customer": customer}}}

    serving = os.path.abspath(os.path.join(serving_dir, customer, "model.json"))
    os.makedirs(os.path.dirname(serving), exist_ok=True)
    shutil.copyfile(model_path, serving + ".tmp")
    os.replace(serving + ".tmp", serving)
    print(f"serving model {model_id} from {serving}")

    set_state(model_id, "LIVE")
    if current_id and int(current_id) != model_id:
        set_state(int(current_id), "ABANDONED")
        print(f"model {current_id} no longer serves")

    write_json(out, {"deployed": True, "model_id": model_id, "serving_path": serving})
    return {
        "pushed": {"custom_properties": {
            "deployed": True, "customer": customer, "model_id": model_id, "serving_path": serving,
        }}
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--model-id", type=int, required=True)
    parser.add_argument("--evaluation", required=True)
    parser.add_argument("--current-id", default="", help="the model now LIVE (empty: none yet)")
    parser.add_argument("--customer", required=True)
    parser.add_argument("--serving-dir", required=True)
    parser.add_argument("--out", required=True)
    arguments = parser.parse_args()
    write_outputs(deploy(
        arguments.model, arguments.model_id, arguments.evaluation, arguments.current_id, arguments.customer,
        arguments.serving_dir, arguments.out,
        lambda artifact_id, state: api("PATCH", f"/artifacts/{artifact_id}", {"state": state})))


if __name__ == "__main__":
    main()
