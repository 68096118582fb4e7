"""Generates the customer's clickstream (see examples/personalization/steps/generate_clickstream.py)."""

from shared import report, step

import generate_clickstream

parameters = step.parameters
report(generate_clickstream.generate(parameters["customer"], parameters["days"], parameters["seed"],
                                     step.outputs["clickstream"].uri))
