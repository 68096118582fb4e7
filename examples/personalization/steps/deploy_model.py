"""Deploys a blessed model: copies it to the serving directory, marks it LIVE, and the model it replaces
ABANDONED (no longer serving). A model that was not blessed is left as it is, and so is the LIVE one."""

import argparse
import json
import os
import shutil

from common import api, write_json, write_outputs


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

    with open(arguments.evaluation) as handle:
        evaluation = json.load(handle)
    if not evaluation["blessed"]:
        print(f"not deployed: {evaluation['reason']}")
        write_json(arguments.out, {"deployed": False, "reason": evaluation["reason"]})
        write_outputs({"pushed": {"custom_properties": {"deployed": False, "customer": arguments.customer}}})
        return

    serving = os.path.abspath(os.path.join(arguments.serving_dir, arguments.customer, "model.json"))
    os.makedirs(os.path.dirname(serving), exist_ok=True)
    shutil.copyfile(arguments.model, serving + ".tmp")
    os.replace(serving + ".tmp", serving)
    print(f"serving model {arguments.model_id} from {serving}")

    api("PATCH", f"/artifacts/{arguments.model_id}", {"state": "LIVE"})
    if arguments.current_id and int(arguments.current_id) != arguments.model_id:
        api("PATCH", f"/artifacts/{arguments.current_id}", {"state": "ABANDONED"})
        print(f"model {arguments.current_id} no longer serves")

    write_json(arguments.out, {"deployed": True, "model_id": arguments.model_id, "serving_path": serving})
    write_outputs({
        "pushed": {"custom_properties": {
            "deployed": True, "customer": arguments.customer, "model_id": arguments.model_id, "serving_path": serving,
        }}
    })


if __name__ == "__main__":
    main()
