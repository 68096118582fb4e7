import Logging
import PostgresNIO
import Synchronization

/// Names one statement of the store that runs often enough to be prepared: planned once per connection (the
/// pool's sessions use generic plans, see `DatabaseEndpoint.sessionSettings`) instead of at every run, which for
/// the run engine's small statements cost more than running them.
protocol PreparedQueryName: Sendable {
    /// The statement's name, unique in the store (PostgreSQL keeps the first 63 bytes).
    static var name: String { get }
}

/// A query run as the prepared statement `Name`. Its text is the query's own (the same at every run: only the
/// bound values differ), recorded the first time it runs.
struct PreparedQuery<Name: PreparedQueryName>: PostgresPreparedStatement {
    typealias Row = PostgresRow
    static var name: String { "q_" + Name.name }
    static var sql: String { PreparedQueryTexts.text(of: Name.name) }

    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

/// The texts of the prepared queries, by name.
enum PreparedQueryTexts {
    private static let texts = Mutex<[String: String]>([:])

    /// Records `sql` as the text of `name`; a query that would give one name two texts is a programming error.
    static func record(_ sql: String, as name: String) {
        texts.withLock { texts in
            if let known = texts[name] {
                precondition(known == sql, "the prepared query \(name) was given another text")
            } else {
                texts[name] = sql
            }
        }
    }

    static func text(of name: String) -> String {
        texts.withLock { $0[name] } ?? ""
    }
}

extension PostgresConnection {
    /// Runs `query` as the prepared statement `name` (see `PreparedQueryName`); its rows, to decode as a query's.
    @discardableResult
    func prepared<Name: PreparedQueryName>(_ name: Name.Type, _ query: PostgresQuery, logger: Logger) async throws
        -> AsyncThrowingMapSequence<PostgresRowSequence, PostgresRow>
    {
        PreparedQueryTexts.record(query.sql, as: Name.name)
        return try await execute(PreparedQuery<Name>(bindings: query.binds), logger: logger)
    }
}
