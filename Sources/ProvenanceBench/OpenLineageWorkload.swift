import Foundation
import ProvenanceCore

/// The OpenLineage events the benchmark sends: what Airflow's provider sends for a task that read two tables and
/// wrote one (COMPLETE, with schema facets on every dataset and the run's parent and nominal time).
enum OpenLineageWorkload {
    /// The COMPLETE event of run `index` of one of `jobs` jobs in `namespace`: two inputs from a pool of `tables`
    /// tables, one output of its own.
    static func completeEvent(_ index: Int, namespace: String, jobs: Int = 200, tables: Int = 2000) -> JSON {
        let job = "etl_\(index % jobs)"
        return event(
            runID: runID(index), namespace: namespace, job: job,
            inputs: [table("raw.t\((index * 7) % tables)"), table("raw.t\((index * 13 + 1) % tables)")],
            outputs: [table("stage.\(job)_\(index)")])
    }

    /// A RunEvent (COMPLETE) of `job` reading `inputs` and writing `outputs`.
    static func event(runID: String, namespace: String, job: String, inputs: [JSON], outputs: [JSON]) -> JSON {
        [
            "eventType": "COMPLETE", "eventTime": "2026-12-07T02:00:00.000000+00:00",
            "producer": "https://github.com/apache/airflow/tree/providers-openlineage/2.3.0",
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
            "run": [
                "runId": .string(runID),
                "facets": [
                    "nominalTime": [
                        "_producer": "https://github.com/apache/airflow",
                        "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/NominalTimeRunFacet.json",
                        "nominalStartTime": "2026-12-07T00:00:00+00:00",
                    ],
                    "parent": [
                        "_producer": "https://github.com/apache/airflow",
                        "_schemaURL": "https://openlineage.io/spec/facets/1-1-0/ParentRunFacet.json",
                        "run": ["runId": "0192f6a0-0000-7000-8000-000000000000"],
                        "job": ["namespace": .string(namespace), "name": "nightly_dag"],
                    ],
                ],
            ],
            "job": ["namespace": .string(namespace), "name": .string(job), "facets": [:]],
            "inputs": .array(inputs), "outputs": .array(outputs),
        ]
    }

    /// A table of the warehouse with a three-column schema facet.
    static func table(_ name: String, namespace: String = "postgres://warehouse:5432") -> JSON {
        [
            "namespace": .string(namespace), "name": .string(name),
            "facets": [
                "schema": [
                    "_producer": "https://github.com/apache/airflow",
                    "_schemaURL": "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json",
                    "fields": [
                        ["name": "id", "type": "BIGINT"], ["name": "customer_id", "type": "BIGINT"],
                        ["name": "amount", "type": "DOUBLE"],
                    ],
                ]
            ],
        ]
    }

    /// A run id: a UUID made from the number.
    static func runID(_ index: Int, salt: UInt32 = 0) -> String {
        let hex = String(index, radix: 16)
        let tail = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
        let head = String(salt, radix: 16)
        return String(repeating: "0", count: max(0, 8 - head.count)) + head + "-0000-7000-8000-" + tail
    }

    /// The graph the lineage read walks: `chains` pipelines (one per customer), each a chain of `length` datasets
    /// where job k reads dataset k and the pipeline's reference table and writes dataset k + 1. Returned as
    /// batches of events.
    static func chainGraph(namespace: String, chains: Int, length: Int, batchSize: Int) -> [[UInt8]] {
        var batches: [[UInt8]] = []
        var batch: [JSON] = []
        var index = 0
        for chain in 0..<chains {
            let reference = table("ref.customer_\(chain)")
            for step in 0..<(length - 1) {
                batch.append(
                    event(
                        runID: runID(index, salt: 0xc4a1), namespace: namespace, job: "c\(chain).step\(step)",
                        inputs: [chainTable(chain, step), reference], outputs: [chainTable(chain, step + 1)]))
                index += 1
                if batch.count == batchSize {
                    batches.append(JSONWriter.bytes(.array(batch)))
                    batch = []
                }
            }
        }
        if !batch.isEmpty { batches.append(JSONWriter.bytes(.array(batch))) }
        return batches
    }

    static func chainTable(_ chain: Int, _ step: Int) -> JSON {
        ["namespace": "s3://lake", "name": .string("c\(chain)/d\(step)")]
    }
}
