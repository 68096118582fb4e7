"""A step that writes a small dataset with the step helper, and says how many rows it has."""

import json

from provenance_client import step

rows = int(step.parameters["rows"])
with open(step.outputs["data"].uri, "w") as handle:
    for i in range(rows):
        handle.write(json.dumps({"x": i, "y": i % 2}) + "\n")
step.outputs["data"].set_property("rows", rows)
print(f"wrote {rows} rows")
