"""Splits the clickstream into training and held-out examples (see prepare_features.py of the standard-library
copy)."""

from shared import report, step

import prepare_features

report(prepare_features.prepare(step.inputs["clickstream"].uri, step.outputs["train"].uri, step.outputs["holdout"].uri))
