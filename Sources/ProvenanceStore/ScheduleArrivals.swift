import PostgresNIO
import ProvenanceCore

/// Where a data trigger's cursor stands in `artifact_arrivals`: the (tx, id) of the last arrival it consumed.
struct ArrivalPosition: Sendable, Equatable {
    /// The arrival's transaction (`xid8`, as text).
    let tx: String
    let id: Int64
}

/// The arrivals one look read past a data trigger's cursor, in commit order, each with whether its artifact passes
/// the trigger's filter (one that does not, or was deleted, is consumed without a fire).
struct ScheduleArrivals: Sendable {
    /// The most arrivals one look reads.
    static let limit = 1000

    var entries: [(position: ArrivalPosition, arrival: ArtifactArrival, matches: Bool)] = []

    /// The arrivals that fire, in order.
    var matching: [ArtifactArrival] { entries.filter(\.matches).map(\.arrival) }

    /// Where the cursor goes once the first `consumed` matching arrivals are consumed: past everything read when
    /// all were, else just before the first matching one left (nil: it stays).
    func position(afterConsuming consumed: Int) -> ArrivalPosition? {
        var seen = 0
        for (index, entry) in entries.enumerated() where entry.matches {
            if seen == consumed { return index == 0 ? nil : entries[index - 1].position }
            seen += 1
        }
        return entries.last?.position
    }
}

extension PostgresStore {
    /// The arrivals of `due`'s watched type past its cursor, from transactions that have all ended.
    func arrivals(for due: DueSchedule, on connection: PostgresConnection) async throws -> ScheduleArrivals {
        guard let type = due.watchTypeID, let trigger = due.spec.artifactTrigger else { return ScheduleArrivals() }
        var sql = SQLBuilder()
        sql.append(
            "SELECT a.tx::text, a.id, a.artifact_id, \(Self.microseconds("a.time")), EXISTS (SELECT 1 FROM artifacts x WHERE x.id = a.artifact_id")
        if let filter = try trigger.parsedFilter() {
            sql.append(" AND ")
            FilterSQL.append(filter, node: "x", to: &sql)
        }
        sql.append("""
            ) FROM artifact_arrivals a
            WHERE a.type_id = \(sql.bind(type.rawValue, as: "int8")) AND a.namespace_id = \(sql.bind(due.namespaceID.rawValue, as: "int8"))
                AND a.tx < pg_snapshot_xmin(pg_current_snapshot())
            """)
        if let cursor = due.arrivalCursor {
            sql.append(" AND (a.tx, a.id) > (\(sql.bind(cursor.tx, as: "text"))::xid8, \(sql.bind(cursor.id, as: "int8")))")
        }
        sql.append(" ORDER BY a.tx, a.id LIMIT \(Self.limitLiteral)")
        var arrivals = ScheduleArrivals()
        for try await (tx, id, artifact, time, matches) in try await connection.query(sql.query, logger: logger).decode(
            (String, Int64, ArtifactID, Int64, Bool).self)
        {
            arrivals.entries.append((ArrivalPosition(tx: tx, id: id), ArtifactArrival(artifactID: artifact, time: time), matches))
        }
        return arrivals
    }

    private static let limitLiteral = String(ScheduleArrivals.limit)
}
