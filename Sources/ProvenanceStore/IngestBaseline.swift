import Logging
import PostgresNIO
import ProvenanceCore

/// The plain-SQL baseline of `provenance bench ingest`: the benchmark's record (a Trainer execution that read a new
/// Dataset and wrote a new Model, two events, a new run context and its three links) written as directly as
/// PostgreSQL allows through the same driver, so the server's figures are compared with the limit, not with a
/// straw man.
///
/// Each write is one prepared statement of data-modifying CTEs: ids come from the sequences in the first CTE, every
/// row is inserted once with no lookups, and records travel as typed arrays that `unnest` turns into rows, so one
/// record and a hundred take the same statement. The connections are opened apart from any server.
public final class IngestBaseline: Sendable {
    /// The type ids of the benchmark's record, in the namespace it writes to.
    public struct Types: Sendable {
        public var dataset: Int64
        public var model: Int64
        public var trainer: Int64
        public var run: Int64

        /// Creates the ids.
        public init(dataset: Int64, model: Int64, trainer: Int64, run: Int64) {
            self.dataset = dataset
            self.model = model
            self.trainer = trainer
            self.run = run
        }
    }

    private let connections: [PostgresConnection]
    private let namespaceID: Int64
    private let types: Types
    private let logger: Logger

    private init(connections: [PostgresConnection], namespaceID: Int64, types: Types, logger: Logger) {
        self.connections = connections
        self.namespaceID = namespaceID
        self.types = types
        self.logger = logger
    }

    /// Opens `connections` connections to `endpoint`, writing into `namespace`.
    public static func connect(
        _ endpoint: DatabaseEndpoint, namespace: String, types: Types, connections count: Int, logger: Logger
    ) async throws -> IngestBaseline {
        var connections: [PostgresConnection] = []
        do {
            for id in 0..<count {
                connections.append(try await PostgresConnection.connect(
                    configuration: try endpoint.connectionConfiguration(), id: id, logger: logger))
            }
            let rows = try await connections[0].query("SELECT id FROM namespaces WHERE name = \(namespace)", logger: logger)
            guard let namespaceID = try await rows.collect().first?.decode(Int64.self) else {
                throw ProvenanceError(.notFound, "namespace \(namespace) is not in \(endpoint)")
            }
            return IngestBaseline(connections: connections, namespaceID: namespaceID, types: types, logger: logger)
        } catch {
            for connection in connections { try? await connection.close() }
            throw error
        }
    }

    /// How many connections it writes through.
    public var connectionCount: Int { connections.count }

    /// Writes the records numbered `records` (their names and URIs carry the number) in one statement on
    /// connection `lane`.
    public func write(_ records: Range<Int>, lane: Int = 0) async throws {
        let statement = IngestBaselineStatement(
            namespaceID: namespaceID, types: types,
            datasetURIs: records.map { "s3://bench/data/sql-\($0)" }, datasetExternalIDs: records.map { "sql-data-\($0)" },
            modelURIs: records.map { "s3://bench/model/sql-\($0)" }, runNames: records.map { "sql-run-\($0)" })
        for try await _ in try await connections[lane].execute(statement, logger: logger) {}
    }

    /// Closes the connections.
    public func close() async {
        for connection in connections { try? await connection.close() }
    }
}

/// The baseline's one statement (see `IngestBaseline`).
private struct IngestBaselineStatement: PostgresPreparedStatement {
    /// The statement's parameters by name: placeholders and bindings are both made by walking this list.
    enum Parameter: Int, CaseIterable {
        case namespaceID = 1, datasetType, modelType, trainerType, runType
        case datasetURIs, datasetExternalIDs, modelURIs, runNames

        /// `$n` cast to the parameter's type (a bare parameter in a UNION takes the type of its first use).
        var placeholder: String {
            switch self {
            case .namespaceID, .datasetType, .modelType, .trainerType, .runType: "$\(rawValue)::int8"
            case .datasetURIs, .datasetExternalIDs, .modelURIs, .runNames: "$\(rawValue)::text[]"
            }
        }
    }

    static let name = "ingest_baseline"
    static let sql: String = {
        typealias P = Parameter
        let (namespace, live) = (P.namespaceID.placeholder, ArtifactState.live.rawValue)
        return """
            WITH r AS (
                SELECT nextval('execution_ids') AS x, nextval('artifact_ids') AS d, nextval('artifact_ids') AS m,
                       nextval('context_ids') AS c, u.data_uri, u.data_external_id, u.model_uri, u.run_name
                FROM unnest(\(P.datasetURIs.placeholder), \(P.datasetExternalIDs.placeholder),
                            \(P.modelURIs.placeholder), \(P.runNames.placeholder))
                    AS u(data_uri, data_external_id, model_uri, run_name)
            ),
            ix AS (
                INSERT INTO executions (id, namespace_id, type_id, state, properties)
                SELECT x, \(namespace), \(P.trainerType.placeholder), \(ExecutionState.complete.rawValue),
                       '{"epochs":{"int":10}}'::jsonb FROM r
            ),
            ia AS (
                INSERT INTO artifacts (id, namespace_id, type_id, uri, external_id, state, properties)
                SELECT d, \(namespace), \(P.datasetType.placeholder), data_uri, data_external_id, \(live),
                       '{"rows":{"int":1000}}'::jsonb FROM r
                UNION ALL
                SELECT m, \(namespace), \(P.modelType.placeholder), model_uri, NULL, \(live), '{"accuracy":{"double":0.93}}'::jsonb
                FROM r
            ),
            ic AS (
                INSERT INTO contexts (id, namespace_id, type_id, name)
                SELECT c, \(namespace), \(P.runType.placeholder), run_name FROM r
            ),
            ie AS (
                INSERT INTO events (artifact_id, execution_id, type)
                SELECT d, x, \(EventType.input.rawValue) FROM r UNION ALL SELECT m, x, \(EventType.output.rawValue) FROM r
            ),
            iat AS (INSERT INTO attributions (context_id, artifact_id) SELECT c, d FROM r UNION ALL SELECT c, m FROM r),
            ias AS (INSERT INTO associations (context_id, execution_id) SELECT c, x FROM r)
            SELECT count(*) FROM r
            """
    }()
    typealias Row = Int64

    let namespaceID: Int64
    let types: IngestBaseline.Types
    let datasetURIs: [String]
    let datasetExternalIDs: [String]
    let modelURIs: [String]
    let runNames: [String]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: Parameter.allCases.count)
        for parameter in Parameter.allCases {
            switch parameter {
            case .namespaceID: bindings.append(namespaceID)
            case .datasetType: bindings.append(types.dataset)
            case .modelType: bindings.append(types.model)
            case .trainerType: bindings.append(types.trainer)
            case .runType: bindings.append(types.run)
            case .datasetURIs: bindings.append(SQLArray(datasetURIs))
            case .datasetExternalIDs: bindings.append(SQLArray(datasetExternalIDs))
            case .modelURIs: bindings.append(SQLArray(modelURIs))
            case .runNames: bindings.append(SQLArray(runNames))
            }
        }
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Int64.self)
    }
}
