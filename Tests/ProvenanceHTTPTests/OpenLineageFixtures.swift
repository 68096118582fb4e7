import ProvenanceCore

/// OpenLineage events as Airflow's integration sends them, for the tests.
enum OpenLineageFixtures {
    static let namespace = "airflow://prod"
    static let orders = ["namespace": "postgres://db:5432", "name": "shop.public.orders"] as JSON

    /// A RunEvent of `job` (in `namespace`) with `inputs` and `outputs` (datasets as JSON objects).
    static func runEvent(
        _ type: String, runID: String, job: String = "orders_dag.extract", namespace: String = namespace,
        time: String = "2026-12-07T10:00:00.000Z", inputs: [JSON] = [], outputs: [JSON] = [],
        runFacets: JSON = [:]
    ) -> JSON {
        [
            "eventType": .string(type), "eventTime": .string(time), "producer": "https://github.com/apache/airflow",
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
            "run": ["runId": .string(runID), "facets": runFacets],
            "job": ["namespace": .string(namespace), "name": .string(job), "facets": [:]],
            "inputs": .array(inputs), "outputs": .array(outputs),
        ]
    }

    /// A dataset reference, with a schema facet when `fields` are given.
    static func dataset(_ namespace: String, _ name: String, fields: [String]? = nil, version: String? = nil) -> JSON {
        var facets: [(key: String, value: JSON)] = []
        if let fields {
            facets.append((
                key: "schema",
                value: [
                    "_producer": "p", "_schemaURL": "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json",
                    "fields": .array(fields.map { ["name": .string($0), "type": "string"] }),
                ]
            ))
        }
        if let version {
            facets.append((key: "version", value: ["_producer": "p", "_schemaURL": "v", "datasetVersion": .string(version)]))
        }
        return ["namespace": .string(namespace), "name": .string(name), "facets": .object(facets)]
    }

    static func runID(_ number: Int) -> String {
        let digits = String(number)
        return "0192f6a0-1111-7000-8000-" + String(repeating: "0", count: 12 - digits.count) + digits
    }
}
