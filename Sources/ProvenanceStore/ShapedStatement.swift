import PostgresNIO
import ProvenanceCore

/// A statement whose text is the same for every request of one shape (only the bound values differ), so it can be
/// prepared once per connection and planned once. The text is built by the same `SQLBuilder` code as every real
/// request, from a template request of that shape.
protocol SQLShape: Sendable {
    /// The prepared statement's name: short, because PostgreSQL cuts names at 63 bytes (and postgres-nio's default,
    /// the Swift type's full name, would make two shapes collide).
    static var name: String { get }
    static var sql: String { get }
}

/// The prepared statement of a shape, carrying one request's bindings.
struct ShapedStatement<Shape: SQLShape>: PostgresPreparedStatement {
    typealias Row = PostgresRow
    static var name: String { "shape_" + Shape.name }
    static var sql: String { Shape.sql }

    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

/// Nodes of one kind by id.
enum NodesByID<Kind: NodeKindMarker>: SQLShape {
    static var name: String { "\(Kind.kind.plural)_by_id" }
    static var sql: String { NodesByIDSQL.text[Kind.kind]! }
}

/// A node kind as a type, to name one prepared statement per kind.
protocol NodeKindMarker: Sendable {
    static var kind: NodeKind { get }
}
enum ArtifactKind: NodeKindMarker { static var kind: NodeKind { .artifact } }
enum ExecutionKind: NodeKindMarker { static var kind: NodeKind { .execution } }
enum ContextKind: NodeKindMarker { static var kind: NodeKind { .context } }

enum NodesByIDSQL {
    /// The statement selecting nodes of `kind` by id within a namespace.
    static func query(_ kind: NodeKind, ids: [Int64], namespaceID: NamespaceID) -> SQLBuilder {
        var sql = SQLBuilder()
        let bound = sql.bind(ids, as: "int8[]")
        let namespace = sql.bind(namespaceID.rawValue, as: "int8")
        sql.append("""
            SELECT \(NodeTable.selectColumns("n")) FROM \(NodeTable.name(kind)) n JOIN types t ON t.id = n.type_id
            WHERE n.id = ANY(\(bound)) AND \(NodeTable.inNamespace("n", namespace))
            """)
        return sql
    }

    static let text: [NodeKind: String] = Dictionary(uniqueKeysWithValues: NodeKind.allCases.map {
        ($0, query($0, ids: [], namespaceID: NamespaceID(0)).text)
    })
}

/// Every statement shape that is prepared. A statement whose text is a shape's runs as that prepared statement;
/// any other runs as a one-off query.
enum PreparedShapes {
    static let all: [any SQLShape.Type] = [
        ArtifactLineageStatement<Upstream>.self, ArtifactLineageStatement<Downstream>.self,
        ArtifactLineageStatement<Bidirectional>.self,
        SubgraphStatement<Upstream>.self, SubgraphStatement<Downstream>.self, SubgraphStatement<Bidirectional>.self,
        NodesByID<ArtifactKind>.self, NodesByID<ExecutionKind>.self, NodesByID<ContextKind>.self,
    ]

    static let byText: [String: any SQLShape.Type] = Dictionary(
        all.map { ($0.sql, $0) }, uniquingKeysWith: { first, _ in first })
}

extension PostgresStore {
    /// Runs `sql` (as a prepared statement when its text is a shape's, see `PreparedShapes`), decoding each row
    /// with `decode`.
    func rows<T: Sendable>(
        _ sql: SQLBuilder, name: String = #function, decode: @escaping @Sendable (PostgresRow) throws -> T
    ) async throws(ProvenanceError) -> [T] {
        try await perform(name: name) { [self] connection in try await rows(sql, on: connection, decode: decode) }
    }

    /// The rows of `sql` on `connection` (see `rows(_:decode:)`).
    func rows<T: Sendable>(_ sql: SQLBuilder, on connection: PostgresConnection, decode: (PostgresRow) throws -> T)
        async throws -> [T]
    {
        var result: [T] = []
        if let shape = PreparedShapes.byText[sql.text] {
            for try await row in try await execute(shape, bindings: sql.bindings, on: connection) {
                result.append(try decode(row))
            }
        } else {
            for try await row in try await connection.query(sql.query, logger: logger) { result.append(try decode(row)) }
        }
        return result
    }

    private func execute<Shape: SQLShape>(_ shape: Shape.Type, bindings: PostgresBindings, on connection: PostgresConnection)
        async throws -> AsyncThrowingMapSequence<PostgresRowSequence, PostgresRow>
    {
        try await connection.execute(ShapedStatement<Shape>(bindings: bindings), logger: logger)
    }
}
