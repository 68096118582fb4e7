"""Trains a click model (logistic regression by stochastic gradient descent), starting from the weights of the
customer's model now LIVE when there is one (a warm start). The model is written PENDING: deploy makes it LIVE."""

import argparse
import json
import math
import random

from common import MetricLog, read_jsonl, sigmoid, write_json, write_outputs

# Examples per point of the running loss curve the step streams (about 700 points for the example's defaults).
POINT_EVERY = 50


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", required=True)
    parser.add_argument("--warm-start", default="", help="the model to start from (empty: from zero)")
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--learning-rate", type=float, required=True)
    parser.add_argument("--customer", required=True)
    parser.add_argument("--out", required=True)
    arguments = parser.parse_args()

    examples = read_jsonl(arguments.train)
    width = len(examples[0]["x"])
    weights, bias, started_from = [0.0] * width, 0.0, None
    if arguments.warm_start:
        with open(arguments.warm_start) as handle:
            previous = json.load(handle)
        weights, bias, started_from = previous["weights"], previous["bias"], arguments.warm_start
        print(f"warm start from {arguments.warm_start}")
    else:
        print("no LIVE model yet: training from zero")

    metrics = MetricLog()
    order = random.Random(0)
    seen = 0
    for epoch in range(arguments.epochs):
        order.shuffle(examples)
        loss, window = 0.0, 0.0
        for example in examples:
            prediction = sigmoid(bias + sum(w * x for w, x in zip(weights, example["x"])))
            error = prediction - example["y"]
            bias -= arguments.learning_rate * error
            weights = [w - arguments.learning_rate * error * x for w, x in zip(weights, example["x"])]
            example_loss = -math.log(max(1e-9, prediction if example["y"] else 1 - prediction))
            loss += example_loss
            window += example_loss
            seen += 1
            if seen % POINT_EVERY == 0:
                metrics.log("batch_log_loss", window / POINT_EVERY, step=seen)
                window = 0.0
        print(f"epoch {epoch + 1}: log loss {loss / len(examples):.4f}")
        metrics.log("epoch_log_loss", loss / len(examples), step=epoch + 1)

    write_json(arguments.out, {
        "kind": "logistic-regression", "customer": arguments.customer, "weights": weights, "bias": bias,
        "warm_start": started_from,
    })
    write_outputs({
        "model": {
            "state": "PENDING",
            "custom_properties": {
                "customer": arguments.customer, "framework": "python-stdlib", "warm_started": bool(started_from),
            },
            "metrics": {"train_log_loss": loss / len(examples)},
        }
    })


if __name__ == "__main__":
    main()
