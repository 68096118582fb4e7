"""Turns a clickstream into features: the last fifth of the days is held out for validation, and every feature
is computed from the training days only (the shopper's click rate in the item's category, the item's click rate,
the position)."""

import argparse
import csv
import json
from collections import defaultdict

from common import write_outputs

FEATURES = ["category_affinity", "item_click_rate", "position"]


def prepare(clickstream, train, holdout):
    """Writes the training and held-out examples; answers what the outputs file says of them."""
    with open(clickstream) as handle:
        rows = list(csv.DictReader(handle))
    days = max(int(row["day"]) for row in rows) + 1
    cutoff = max(1, days - max(1, days // 5))
    training = [row for row in rows if int(row["day"]) < cutoff]

    category_seen, category_clicks = defaultdict(int), defaultdict(int)
    item_seen, item_clicks = defaultdict(int), defaultdict(int)
    for row in training:
        key = (row["shopper"], row["category"])
        category_seen[key] += 1
        category_clicks[key] += int(row["clicked"])
        item_seen[row["item"]] += 1
        item_clicks[row["item"]] += int(row["clicked"])

    def features(row):
        key = (row["shopper"], row["category"])
        return [
            (category_clicks[key] + 0.2) / (category_seen[key] + 1),
            (item_clicks[row["item"]] + 0.2) / (item_seen[row["item"]] + 1),
            int(row["position"]) / 4,
        ]

    counts = {}
    for name, path, selected in [
        ("train", train, training),
        ("holdout", holdout, [row for row in rows if int(row["day"]) >= cutoff]),
    ]:
        with open(path, "w") as handle:
            for row in selected:
                handle.write(json.dumps({"x": features(row), "y": int(row["clicked"])}) + "\n")
        counts[name] = len(selected)
    print(f"{counts['train']} training examples (days 0-{cutoff - 1}), {counts['holdout']} held out")
    return {
        "train": {"custom_properties": {"features": ",".join(FEATURES), "split": "train"}, "metrics": {"examples": counts["train"]}},
        "holdout": {"custom_properties": {"features": ",".join(FEATURES), "split": "holdout"}, "metrics": {"examples": counts["holdout"]}},
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clickstream", required=True)
    parser.add_argument("--train", required=True)
    parser.add_argument("--holdout", required=True)
    arguments = parser.parse_args()
    write_outputs(prepare(arguments.clickstream, arguments.train, arguments.holdout))


if __name__ == "__main__":
    main()
