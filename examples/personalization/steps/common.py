"""What every step of the example shares: arguments, the outputs file, the server's API, small math."""

import json
import math
import os
import urllib.error
import urllib.request


def write_outputs(outputs):
    """Tells the executor more about this step's outputs (properties, metrics, state) through the outputs file.

    The executor names the file in PROVENANCE_OUTPUTS_FILE; writing it is optional.
    """
    with open(os.environ["PROVENANCE_OUTPUTS_FILE"], "w") as handle:
        json.dump({"outputs": outputs}, handle)


class MetricLog:
    """Streams metric points while the step runs: one JSON line each, appended to the file the executor names in
    PROVENANCE_METRICS_FILE and forwards every 250 ms (nothing is written when the step runs outside an executor)."""

    def __init__(self):
        path = os.environ.get("PROVENANCE_METRICS_FILE")
        self.handle = open(path, "a") if path else None

    def log(self, name, value, step=None):
        if self.handle is None:
            return
        point = {"name": name, "value": value}
        if step is not None:
            point["step"] = step
        self.handle.write(json.dumps(point) + "\n")
        self.handle.flush()


def api(method, path, body=None):
    """Calls the Provenance REST API of the server that runs this step, in the run's namespace."""
    server = os.environ["PROVENANCE_SERVER"].rstrip("/")
    namespace = os.environ.get("PROVENANCE_NAMESPACE", "default")
    headers = {"Content-Type": "application/json"}
    # The executor gives each step a credential of its own: valid in the run's namespace while the attempt runs.
    if os.environ.get("PROVENANCE_TOKEN"):
        headers["Authorization"] = "Bearer " + os.environ["PROVENANCE_TOKEN"]
    request = urllib.request.Request(
        f"{server}/api/v1/namespaces/{namespace}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers=headers,
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{method} {path} failed: {error.code} {error.read().decode()}")


def sigmoid(value):
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exponential = math.exp(value)
    return exponential / (1.0 + exponential)


def read_jsonl(path):
    with open(path) as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_json(path, value):
    """Writes a file whole or not at all (a rename), so a reader never sees half of it."""
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    temporary = path + ".tmp"
    with open(temporary, "w") as handle:
        json.dump(value, handle, indent=1)
    os.replace(temporary, path)
