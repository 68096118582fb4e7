"""Summarises a schemathesis NDJSON report (scripts/soak/schemathesis.sh writes one) for people.

Prints the number of requests schemathesis made (every recorded interaction, all phases), how they split by phase
and by status, and every failure class: the check that failed, the status, the operations it was seen on, and for
each operation one request as a curl command that reproduces it against a server started as the soak starts one
(with $TOKEN, or $EXECUTOR_TOKEN for the executor protocol, in place of the credential schemathesis hides). Each
class is labelled: a server bug (a 5xx, or an answer that breaks the schema or content type the spec declares for
its status) or a spec gap (the server answers a status the spec does not declare for that operation).

Exits 1 if any check failed or any response was a 5xx, 2 if fewer than --min-requests requests were made, else 0.
"""

import argparse
import base64
import collections
import json
import shlex
import sys

SERVER_BUG_CHECKS = {
    "not_a_server_error",
    "response_schema_conformance",
    "content_type_conformance",
    "response_headers_conformance",
}
# Routes the server serves without a token by design (README, "Security"); a 2xx without one there means the spec
# should say `security: []`, not that authentication is broken.
PUBLIC_ROUTES = {"GET /healthz", "GET /readyz"}


def decode(content):
    if not content:
        return b""
    if "$base64" in content:
        return base64.b64decode(content["$base64"])
    return content.get("string", "").encode()


def curl_command(request, operation, executor_operations):
    """A curl command that sends `request` again; a non-UTF-8 body goes through base64 -d."""
    parts = ["curl", "-sS", "-i", "-X", request["method"]]
    for name, values in (request.get("headers") or {}).items():
        for value in values:
            if name.lower() == "authorization" and value == "[Filtered]":
                variable = "$EXECUTOR_TOKEN" if operation in executor_operations else "$TOKEN"
                parts.append('-H "Authorization: Bearer %s"' % variable)
                continue
            parts += ["-H", shlex.quote("%s: %s" % (name, value))]
    body = decode(request.get("body"))
    prefix = ""
    if body:
        try:
            text = body.decode("utf-8")
            if "\x00" in text or "'" in text and len(text) > 2000:
                raise ValueError
            parts += ["--data-binary", shlex.quote(text)]
        except ValueError:
            prefix = "printf %s %s | base64 -d | " % ("%s", base64.b64encode(body).decode())
            parts += ["--data-binary", "@-"]
    uri = request["uri"]
    # Keep the exact bytes of the path: curl would otherwise collapse `/../` and `/./` segments.
    parts += ["--path-as-is", shlex.quote(uri)]
    return prefix + " ".join(parts)


def classify(check, status, operation, message):
    if check == "not_a_server_error" or (status is not None and status >= 500):
        return "SERVER BUG: 5xx"
    if check == "response_schema_conformance" and "is valid under more than one of the schemas" in message:
        return "SPEC ERROR: a response schema's oneOf has branches that overlap, so a valid answer matches two"
    if check in SERVER_BUG_CHECKS:
        return "SERVER BUG: the answer breaks the contract the spec declares for its status"
    if check == "status_code_conformance":
        return "SPEC GAP: the server answers %s, which the spec does not declare for the operation" % status
    if check == "ensure_resource_availability":
        return "SERVER BUG: what a POST made is 404 when read back"
    if check == "use_after_free":
        return "SERVER BUG: what a DELETE removed is still served"
    if check == "ignored_auth":
        if operation in PUBLIC_ROUTES:
            return "SPEC GAP: a public route without `security: []`"
        return "SECURITY BUG: a route that needs a token answered 2xx without one"
    return "OTHER: %s" % check


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("report")
    parser.add_argument("--min-requests", type=int, default=10000)
    parser.add_argument("--server-requests", type=int, default=None,
                        help="requests the server counted (provenance_http_requests_total), to print alongside")
    parser.add_argument("--full", help="also write every failing operation's repro to this file")
    parser.add_argument("--repros", type=int, default=3,
                        help="repros printed per failure class (the rest of its operations by name only)")
    parser.add_argument("--executor-operations", default="",
                        help="operations sent with the executor token, separated by ';'")
    arguments = parser.parse_args()
    executor_operations = {name for name in arguments.executor_operations.split(";") if name}

    requests = 0
    by_phase = collections.Counter()
    by_status = collections.Counter()
    operations_seen = set()
    errors = []
    # (classification, check, status) -> operation -> [count, first example]
    classes = collections.defaultdict(dict)
    with open(arguments.report, encoding="utf-8") as report:
        for line in report:
            event = json.loads(line)
            if "NonFatalError" in event:
                error = event["NonFatalError"]
                errors.append("%s: %s" % (error.get("label"), (error.get("info") or {}).get("title")
                                          or str(error.get("value", ""))[:200]))
                continue
            if "ScenarioFinished" not in event:
                continue
            scenario = event["ScenarioFinished"]
            recorder = scenario["recorder"]
            interactions = recorder.get("interactions") or {}
            for interaction in interactions.values():
                requests += 1
                by_phase[scenario.get("phase")] += 1
                response = interaction.get("response")
                status = response["status_code"] if response else None
                by_status[status] += 1
            for case_id, checks in (recorder.get("checks") or {}).items():
                for check in checks:
                    if check["status"] == "success":
                        continue
                    failure = (check.get("failure_info") or {}).get("failure") or {}
                    operation = failure.get("operation") or recorder.get("label")
                    operations_seen.add(operation)
                    interaction = interactions.get(case_id) or {}
                    response = interaction.get("response") or {}
                    status = response.get("status_code")
                    key = (classify(check["name"], status, operation, failure.get("message", "")), check["name"], status)
                    entry = classes[key].setdefault(operation, [0, None])
                    entry[0] += 1
                    if entry[1] is None and interaction:
                        entry[1] = (interaction["request"], status, decode(response.get("content")),
                                    failure.get("title", ""), failure.get("message", ""))

    fivexx = sum(count for status, count in by_status.items() if status is not None and status >= 500)
    print("Requests made by schemathesis: %d (threshold %d)" % (requests, arguments.min_requests))
    if arguments.server_requests is not None:
        print("Requests the server counted (provenance_http_requests_total, seeding included): %d"
              % arguments.server_requests)
    print("By phase: " + ", ".join("%s %d" % item for item in sorted(by_phase.items(), key=lambda i: str(i[0]))))
    print("By status: " + ", ".join("%s %d" % item for item in sorted(by_status.items(), key=lambda i: str(i[0]))))
    print("Responses of 500 or more: %d" % fivexx)
    if errors:
        print("\nSchemathesis errors (its own, not the server's; the operation was not fully tested):")
        for error in errors:
            print("  - " + error)
    failures = sum(count for operations in classes.values() for count, _ in operations.values())
    print("\nFailed checks: %d, in %d classes" % (failures, len(classes)))
    full = open(arguments.full, "w", encoding="utf-8") if arguments.full else None
    for (classification, check, status), operations in sorted(classes.items(), key=lambda i: str(i[0])):
        heading = "\n== %s\n   check %s, status %s, %d operation(s)" % (classification, check, status, len(operations))
        print(heading)
        if full:
            print(heading, file=full)
        for index, (operation, (count, example)) in enumerate(sorted(operations.items())):
            lines = ["   - %s (%d failing case(s))" % (operation, count)]
            if example is not None:
                request, status, body, title, message = example
                lines.append("       %s: %s" % (title, " / ".join(message.splitlines())[:300]))
                lines.append("       " + curl_command(request, operation, executor_operations))
                lines.append("       -> %s %s" % (status, body.decode("utf-8", "replace")[:300]))
            print("\n".join(lines if index < arguments.repros else lines[:1]))
            if full:
                print("\n".join(lines), file=full)
    if full:
        full.close()
    too_few = requests < arguments.min_requests
    if too_few:
        print("\nToo few requests: %d < %d" % (requests, arguments.min_requests))
    if failures or fivexx:
        return 1
    return 2 if too_few else 0


if __name__ == "__main__":
    sys.exit(main())
