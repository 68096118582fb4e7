"""The Python client's cost per call over raw HTTP: the same GET (an artifact by id) made N times through
`provenance_client` and through a bare httpx client on its own connection pool, in the same run, alternating
rounds so both see the same machine. Prints p50 and mean of each and the client's overhead.

Usage: PROVENANCE_SERVER=... PROVENANCE_TOKEN=... python bench.py [--calls 2000]"""

import argparse
import os
import statistics
import time

import httpx

from provenance_client import Client


def timed(call, count):
    times = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1e6)
    return times


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    arguments = parser.parse_args()
    server = os.environ.get("PROVENANCE_SERVER", "http://127.0.0.1:8080")
    token = os.environ.get("PROVENANCE_TOKEN", "")
    client = Client(server, token=token)
    client.create_type("artifact", "BenchDataset")
    artifact = client.artifacts.create("BenchDataset", uri="s3://bench/client-overhead")["id"]
    headers = {"Accept": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    raw = httpx.Client(base_url=server, headers=headers, timeout=30)
    path = f"/api/v1/namespaces/default/artifacts/{artifact}"
    through_client, through_raw = [], []
    for _ in range(4):
        through_raw += timed(lambda: raw.get(path).json(), arguments.calls // 4)
        through_client += timed(lambda: client.artifacts.get(artifact), arguments.calls // 4)
    for name, times in (("raw httpx", through_raw), ("provenance_client", through_client)):
        print(f"{name:18} p50 {statistics.median(times):7.0f} µs  mean {statistics.mean(times):7.0f} µs  "
              f"({len(times)} calls)")
    overhead = statistics.median(through_client) - statistics.median(through_raw)
    print(f"client overhead per call: {overhead:.0f} µs at p50 "
          f"({statistics.median(through_client) / statistics.median(through_raw):.2f}x raw)")


if __name__ == "__main__":
    main()
