"""Trains a click model (logistic regression by stochastic gradient descent), starting from the weights of the
customer's model now LIVE when there is one (a warm start). The model is written PENDING: deploy makes it LIVE."""

import argparse
import json
import math
import random

from common import MetricLog, read_jsonl, sigmoid, write_json, write_outputs

# Examples per point of the running loss curve the step streams (about 700 points for the example's defaults).
POINT_EVERY = 50


def train(train_path, warm_start, epochs, learning_rate, customer, out, metrics):
    """Trains on `train_path` (from the model at `warm_start`, if any), streams the running loss through
    `metrics.log(name, value, step)`, writes the model to `out`; answers what the outputs file says of it."""
    examples = read_jsonl(train_path)
    width = len(examples[0]["x"])
    weights, bias, started_from = [0.0] * width, 0.0, None
    if warm_start:
        with open(warm_start) as handle:
            previous = json.load(handle)
        weights, bias, started_from = previous["weights"], previous["bias"], warm_start
        print(f"warm start from {warm_start}")
    else:
        print("no LIVE model yet: training from zero")

    order = random.Random(0)
    seen = 0
    for epoch in range(epochs):
        order.shuffle(examples)
        loss, window = 0.0, 0.0
        for example in examples:
            prediction = sigmoid(bias + sum(w * x for w, x in zip(weights, example["x"])))
            error = prediction - example["y"]
            bias -= learning_rate * error
            weights = [w - learning_rate * error * x for w, x in zip(weights, example["x"])]
            example_loss = -math.log(max(1e-9, prediction if example["y"] else 1 - prediction))
            loss += example_loss
            window += example_loss
            seen += 1
            if seen % POINT_EVERY == 0:
                metrics.log("batch_log_loss", window / POINT_EVERY, step=seen)
                window = 0.0
        print(f"epoch {epoch + 1}: log loss {loss / len(examples):.4f}")
        metrics.log("epoch_log_loss", loss / len(examples), step=epoch + 1)

    write_json(out, {
        "kind": "logistic-regression", "customer": customer, "weights": weights, "bias": bias,
        "warm_start": started_from,
    })
    return {
        "model": {
            "state": "PENDING",
            "custom_properties": {"customer": customer, "framework": "python-stdlib", "warm_started": bool(started_from)},
            "metrics": {"train_log_loss": loss / len(examples)},
        }
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", required=True)
    parser.add_argument("--warm-start", default="", help="the model to start from (empty: from zero)")
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--learning-rate", type=float, required=True)
    parser.add_argument("--customer", required=True)
    parser.add_argument("--out", required=True)
    arguments = parser.parse_args()
    write_outputs(train(arguments.train, arguments.warm_start, arguments.epochs, arguments.learning_rate,
                        arguments.customer, arguments.out, MetricLog()))


if __name__ == "__main__":
    main()
