"""The web UI's speed in headless Chromium: a 500-task run page and a 2,000-node lineage graph, each from the start
of the page load to the graph drawn (the UI's own mark, `data-rendered-ms`), against a baseline measured in the same
run: the not-found page, which loads the same scripts and draws no data. Prints a table of p50 and max over
`--loads` fresh loads of each.

Usage (scripts/ui/bench.sh starts the server): python bench.py --server URL [--loads 7]"""

import argparse
import statistics
import time

from browser import Api, chrome, open_page, wait_for

TASK_LAYERS, TASK_WIDTH = 10, 50  # 500 tasks
LINEAGE_WIDTH, LINEAGE_DEPTH = 95, 10  # 95 raw datasets + 10 layers of 95 executions and 95 datasets + 2 = 1,997 nodes


def make_run(api):
    """A 500-step pipeline (10 layers of 50, each step after two of the layer before), submitted once."""
    api.post("components", {"name": "bench-noop", "version": "1", "run": {"command": ["true"]}})
    steps = {}
    for layer in range(TASK_LAYERS):
        for i in range(TASK_WIDTH):
            after = [] if layer == 0 else [f"s{layer - 1}_{i}", f"s{layer - 1}_{(i + 1) % TASK_WIDTH}"]
            steps[f"s{layer}_{i}"] = {"component": "bench-noop@1", "after": after}
    api.post("pipelines", {"name": "bench-ui-500", "steps": steps})
    run = api.post("runs", {"pipeline": "bench-ui-500"})
    return run["id"]


def make_lineage(api):
    """Layers of executions, each reading two datasets of the layer before and writing one; then one training
    execution reading the last layer and writing a model. Answers the model's id."""
    for kind, name in (("artifact", "Dataset"), ("artifact", "Model"), ("execution", "Transform"), ("execution", "Trainer")):
        api.post("types", {"kind": kind, "name": name})

    def dataset(layer, i):
        return {"type": "Dataset", "external_id": f"bench-d{layer}-{i}", "uri": f"s3://bench/d{layer}/{i}"}

    for layer in range(1, LINEAGE_DEPTH + 1):
        for i in range(LINEAGE_WIDTH):
            api.post("executions:record", {
                "execution": {"type": "Transform", "last_known_state": "COMPLETE"},
                "inputs": [dataset(layer - 1, i), dataset(layer - 1, (i + 1) % LINEAGE_WIDTH)],
                "outputs": [dataset(layer, i)],
            })
    answer = api.post("executions:record", {
        "execution": {"type": "Trainer", "last_known_state": "COMPLETE"},
        "inputs": [dataset(LINEAGE_DEPTH, i) for i in range(LINEAGE_WIDTH)],
        "outputs": [{"type": "Model", "uri": "s3://bench/model"}],
    })
    return answer["artifact_ids"][-1]


def measure(driver, base, path, loads, count_nodes=False, screenshot=None):
    times = []
    nodes = None
    for _ in range(loads):
        times.append(open_page(driver, base, path))
        if count_nodes:
            nodes = wait_for(lambda: driver.execute_script(
                "return document.querySelectorAll('svg.graph a.node').length") or None, f"nodes on {path}")
    if screenshot:
        driver.save_screenshot(screenshot)
    return times, nodes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--loads", type=int, default=7)
    parser.add_argument("--screenshots", help="a directory for a screenshot of each page measured")
    arguments = parser.parse_args()
    api = Api(arguments.server, token="")
    started = time.monotonic()
    run_id = make_run(api)
    model = make_lineage(api)
    print(f"made a 500-task run ({run_id}) and a lineage of {LINEAGE_WIDTH * (2 * LINEAGE_DEPTH + 1) + 2} nodes "
          f"in {time.monotonic() - started:.1f} s")
    driver = chrome()
    try:
        # One load first, so every measured load finds the scripts in the browser's cache alike.
        open_page(driver, arguments.server, "/ui/ns/default/not-a-page")
        baseline, _ = measure(driver, arguments.server, "/ui/ns/default/not-a-page", arguments.loads)
        shots = arguments.screenshots
        run_page, run_nodes = measure(driver, arguments.server, f"/ui/ns/default/runs/{run_id}", arguments.loads, True,
                                      shots and f"{shots}/run-500-tasks.png")
        lineage_page, lineage_nodes = measure(
            driver, arguments.server, f"/ui/ns/default/artifacts/{model}?lineage=upstream", arguments.loads, True,
            shots and f"{shots}/lineage-2000-nodes.png")
    finally:
        driver.quit()

    def row(name, times, nodes, target):
        p50 = statistics.median(times)
        ratio = p50 / statistics.median(baseline)
        print(f"| {name} | {nodes if nodes is not None else ''} | {p50:.0f} ms | {max(times):.0f} ms | {target} | "
              f"{ratio:.1f}x |")

    print(f"\n{arguments.loads} fresh loads each, from the start of the load to the page drawn (headless Chromium)\n")
    print("| page | nodes | p50 | max | target | p50 / baseline |")
    print("| --- | --- | --- | --- | --- | --- |")
    row("baseline: not-found page (same scripts, no data)", baseline, None, "")
    row("run page, 500 tasks", run_page, run_nodes, "< 1000 ms")
    row("lineage graph, upstream walk", lineage_page, lineage_nodes, "< 1000 ms")


if __name__ == "__main__":
    main()
