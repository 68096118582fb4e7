"""Provenance's MLMD gRPC service against MLMD's own store, both driven by the official `ml-metadata` client in
one run, on the same PostgreSQL server (MLMD's store in a database of its own there).

1. put_execution (1 execution, an input and an output artifact, 2 events, a context) N times serially.
2. get_lineage_subgraph upstream over a 100-hop chain (a 200-node chain of artifacts and executions), timed
   repeatedly after a warm-up.

Prints each figure and the ratio Provenance / MLMD. Usage:
    python bench.py --grpc-port PORT --postgres-socket-dir DIR [--records 2000] [--queries 100]
"""
import argparse
import statistics
import time

import ml_metadata as mlmd
from ml_metadata.proto import metadata_store_pb2 as pb


def provenance_store(port):
    return mlmd.MetadataStore(pb.MetadataStoreClientConfig(host="127.0.0.1", port=port))


def mlmd_store(socket_dir, port, database):
    config = pb.ConnectionConfig()
    config.postgresql.host = socket_dir
    config.postgresql.port = str(port)
    config.postgresql.user = "provenance"
    config.postgresql.dbname = database
    return mlmd.MetadataStore(config)


def put_types(store):
    dataset = store.put_artifact_type(pb.ArtifactType(name="Dataset", properties={"rows": pb.INT}))
    model = store.put_artifact_type(pb.ArtifactType(name="Model", properties={"accuracy": pb.DOUBLE}))
    trainer = store.put_execution_type(pb.ExecutionType(name="Trainer", properties={"epochs": pb.INT}))
    run = store.put_context_type(pb.ContextType(name="Run"))
    return dataset, model, trainer, run


def time_put_execution(store, records):
    dataset, model, trainer, run = put_types(store)
    started = time.perf_counter()
    for n in range(records):
        execution = pb.Execution(type_id=trainer, last_known_state=pb.Execution.COMPLETE)
        execution.properties["epochs"].int_value = 10
        source = pb.Artifact(type_id=dataset, uri=f"s3://data/{n}")
        source.properties["rows"].int_value = 1000
        trained = pb.Artifact(type_id=model, uri=f"s3://models/{n}")
        trained.properties["accuracy"].double_value = 0.9
        store.put_execution(
            execution,
            [(source, pb.Event(type=pb.Event.INPUT)), (trained, pb.Event(type=pb.Event.OUTPUT))],
            [pb.Context(type_id=run, name=f"run-{n}")])
    return records / (time.perf_counter() - started)


def build_chain(store, executions):
    """A chain artifact_0 -> execution_0 -> artifact_1 -> ... of 2 * executions + 1 nodes; returns the last uri."""
    types = {t.name: t.id for t in store.get_artifact_types()}
    trainer = next(t.id for t in store.get_execution_types() if t.name == "Trainer")
    previous = pb.Artifact(type_id=types["Dataset"], uri="chain/0")
    [previous.id] = store.put_artifacts([previous])
    for n in range(executions):
        output = pb.Artifact(type_id=types["Model"], uri=f"chain/{n + 1}")
        _, [_, output.id], _ = store.put_execution(
            pb.Execution(type_id=trainer),
            [(previous, pb.Event(type=pb.Event.INPUT)), (output, pb.Event(type=pb.Event.OUTPUT))], [])
        previous = output
    return previous.uri


def time_subgraph(store, last_uri, hops, queries):
    options = pb.LineageSubgraphQueryOptions(
        starting_artifacts=pb.LineageSubgraphQueryOptions.StartingNodes(filter_query=f"uri = '{last_uri}'"),
        max_num_hops=hops, direction=pb.LineageSubgraphQueryOptions.UPSTREAM)
    for _ in range(5):
        graph = store.get_lineage_subgraph(options)
    nodes = len(graph.artifacts) + len(graph.executions)
    latencies = []
    for _ in range(queries):
        started = time.perf_counter()
        store.get_lineage_subgraph(options)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return statistics.median(latencies), latencies[int(len(latencies) * 0.99) - 1], nodes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--grpc-port", type=int, required=True)
    parser.add_argument("--postgres-socket-dir", required=True)
    parser.add_argument("--postgres-port", type=int, default=5432)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    ours = provenance_store(args.grpc_port)
    theirs = mlmd_store(args.postgres_socket_dir, args.postgres_port, "mlmd_bench")

    print(f"put_execution, {args.records} serial calls through the ml-metadata client:")
    our_rate = time_put_execution(ours, args.records)
    print(f"  Provenance over gRPC:          {our_rate:8.1f} calls/s")
    their_rate = time_put_execution(theirs, args.records)
    print(f"  MLMD store on PostgreSQL:      {their_rate:8.1f} calls/s")
    print(f"  ratio Provenance / MLMD:       {our_rate / their_rate:8.2f}x")

    chain = 100
    print(f"get_lineage_subgraph upstream, 100 hops over a {2 * chain + 1}-node chain, {args.queries} calls:")
    results = []
    for name, store in (("Provenance over gRPC:    ", ours), ("MLMD store on PostgreSQL:", theirs)):
        last = build_chain(store, chain)
        p50, p99, nodes = time_subgraph(store, last, 100, args.queries)
        results.append(p50)
        print(f"  {name}      p50 {p50:7.2f} ms, p99 {p99:7.2f} ms, {nodes} nodes returned")
    print(f"  ratio MLMD / Provenance (p50): {results[1] / results[0]:8.2f}x")


if __name__ == "__main__":
    main()
