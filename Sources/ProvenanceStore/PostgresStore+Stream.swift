import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// The events after `cursor` from transactions that have all ended (none still running could add one before
    /// them), in stream order, at most `limit`; only `filter`'s when given.
    public func streamEvents(after cursor: StreamCursor, limit: Int, filter: StreamFilter? = nil) async throws(ProvenanceError)
        -> [StreamEvent]
    {
        var sql = SQLBuilder()
        let transaction = sql.bind(String(cursor.transaction), as: "text")
        let id = sql.bind(cursor.id, as: "int8")
        sql.append("""
            SELECT id, tx::text, namespace_id, kind, run_id, pipeline_id, payload::text, \(Self.microseconds("time"))
            FROM stream_events
            WHERE (tx, id) > (\(transaction)::xid8, \(id)) AND tx < pg_snapshot_xmin(pg_current_snapshot())
            """)
        if let filter {
            sql.append(" AND namespace_id = \(sql.bind(filter.namespaceID.rawValue, as: "int8"))")
            if let run = filter.runID { sql.append(" AND run_id = \(sql.bind(run.rawValue, as: "int8"))") }
            if let pipeline = filter.pipelineID { sql.append(" AND pipeline_id = \(sql.bind(pipeline.rawValue, as: "int8"))") }
            sql.append(" AND kind = ANY(\(sql.bind(filter.kinds.sorted(), as: "text[]")))")
        }
        sql.append(" ORDER BY tx, id LIMIT \(sql.bind(Int64(limit), as: "int8"))")
        return try await rows(sql) { row in
            let (id, transaction, namespace, kind, run, pipeline, payload, time) =
                try row.decode((Int64, String, NamespaceID, String, RunID?, PipelineID?, String, Int64).self)
            return StreamEvent(
                kind: kind, cursor: StreamCursor(transaction: UInt64(transaction) ?? 0, id: id), namespaceID: namespace,
                runID: run, pipelineID: pipeline, payload: try JSONParser.parse(payload), time: time / 1000)
        }
    }

    /// The newest event a reader may take now (of the transactions that have all ended): where a new subscriber's
    /// live events begin. The start of the stream when there is none.
    public func streamEnd() async throws(ProvenanceError) -> StreamCursor {
        try await perform { [self] connection in
            for try await (transaction, id) in try await connection.query(
                """
                SELECT tx::text, id FROM stream_events WHERE tx < pg_snapshot_xmin(pg_current_snapshot())
                ORDER BY tx DESC, id DESC LIMIT 1
                """, logger: logger
            ).decode((String, Int64).self) { return StreamCursor(transaction: UInt64(transaction) ?? 0, id: id) }
            return .origin
        }
    }

    /// The newest event pruning deleted (nil: none yet): a client resuming from before it may have missed events.
    public func streamHorizon() async throws(ProvenanceError) -> StreamCursor? {
        try await perform { [self] connection in
            for try await (transaction, id) in try await connection.query(
                "SELECT tx::text, id FROM stream_horizon", logger: logger
            ).decode((String, Int64).self) { return StreamCursor(transaction: UInt64(transaction) ?? 0, id: id) }
            return nil
        }
    }

    /// Deletes events older than `age`, moving the horizon to the newest deleted; whether it deleted any.
    @discardableResult
    public func pruneStreamEvents(olderThan age: Duration) async throws(ProvenanceError) -> Bool {
        let seconds = Self.seconds(age)
        return try await transaction { [self] connection in
            var moved = false
            for try await _ in try await connection.query(
                """
                WITH gone AS (
                    DELETE FROM stream_events WHERE time < now() - \(seconds)::float8 * interval '1 second' RETURNING tx, id
                ), newest AS (SELECT tx, id FROM gone ORDER BY tx DESC, id DESC LIMIT 1)
                INSERT INTO stream_horizon (one, tx, id) SELECT true, tx, id FROM newest
                ON CONFLICT (one) DO UPDATE SET tx = excluded.tx, id = excluded.id
                WHERE (stream_horizon.tx, stream_horizon.id) < (excluded.tx, excluded.id)
                RETURNING 1
                """, logger: logger
            ) { moved = true }
            return moved
        }
    }
}
