"""Scores the new model on the held-out days, and the model now LIVE (if any) on the same days; the new model is
blessed only if it reaches the minimum AUC and beats the LIVE one."""

import argparse
import json
import math

from common import read_jsonl, sigmoid, write_json, write_outputs


def predict(model, features):
    return sigmoid(model["bias"] + sum(w * x for w, x in zip(model["weights"], features)))


def auc(scored):
    """The probability that a random click is ranked above a random non-click (ties count half)."""
    scored = sorted(scored)
    positives = sum(label for _, label in scored)
    negatives = len(scored) - positives
    if not positives or not negatives:
        return 0.5
    rank_sum, index = 0.0, 0
    while index < len(scored):
        end = index
        while end < len(scored) and scored[end][0] == scored[index][0]:
            end += 1
        average_rank = (index + end + 1) / 2
        rank_sum += average_rank * sum(label for _, label in scored[index:end])
        index = end
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def evaluate(model, examples):
    scored = [(predict(model, example["x"]), example["y"]) for example in examples]
    log_loss = -sum(math.log(max(1e-9, p if y else 1 - p)) for p, y in scored) / len(scored)
    return auc(scored), log_loss


def validate(model_path, holdout, baseline, min_auc, out):
    """Scores the model at `model_path` (and the LIVE one at `baseline`, if any) on `holdout`, writes the
    evaluation to `out`; answers what the outputs file says of it."""
    examples = read_jsonl(holdout)
    with open(model_path) as handle:
        model = json.load(handle)
    model_auc, model_loss = evaluate(model, examples)
    print(f"new model: AUC {model_auc:.4f}, log loss {model_loss:.4f}")
    baseline_auc = None
    if baseline:
        with open(baseline) as handle:
            baseline_auc, baseline_loss = evaluate(json.load(handle), examples)
        print(f"LIVE model: AUC {baseline_auc:.4f}, log loss {baseline_loss:.4f}")

    if model_auc < min_auc:
        blessed, reason = False, f"AUC {model_auc:.4f} is below the minimum {min_auc}"
    elif baseline_auc is not None and model_auc <= baseline_auc:
        blessed, reason = False, f"AUC {model_auc:.4f} does not beat the LIVE model's {baseline_auc:.4f}"
    else:
        blessed, reason = True, "first model" if baseline_auc is None else f"beats the LIVE model's AUC {baseline_auc:.4f}"
    print(("blessed: " if blessed else "not blessed: ") + reason)

    write_json(out, {"auc": model_auc, "log_loss": model_loss, "baseline_auc": baseline_auc,
                     "blessed": blessed, "reason": reason})
    metrics = {"auc": model_auc, "log_loss": model_loss}
    if baseline_auc is not None:
        metrics["baseline_auc"] = baseline_auc
    return {"evaluation": {"metrics": metrics, "custom_properties": {"blessed": blessed, "reason": reason}}}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--holdout", required=True)
    parser.add_argument("--baseline", default="", help="the model now LIVE (empty: none yet)")
    parser.add_argument("--min-auc", type=float, required=True)
    parser.add_argument("--out", required=True)
    arguments = parser.parse_args()
    write_outputs(validate(arguments.model, arguments.holdout, arguments.baseline, arguments.min_auc, arguments.out))


if __name__ == "__main__":
    main()
