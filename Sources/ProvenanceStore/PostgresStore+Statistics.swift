import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// The fewest tasks added (by runs submitted since the last check) worth checking the task tables' statistics.
    public static let statisticsCheckTasks = 1_000

    /// Analyzes the task tables when the `added` tasks of runs just submitted have at least doubled them since they
    /// were last analyzed (see `TaskStatisticsRefresher`, which calls this beside the runs).
    ///
    /// The engine's statements run on plans made once per connection from the tables' statistics. On a new
    /// database those were made while the tables were empty, and they stay until autovacuum analyzes the tables
    /// (`autovacuum_naptime`, 10 s for the embedded cluster): a first 5,000-task run spent 6.4 s in the statement
    /// that queued its workers and 3.6 ms (not 0.27) in each lease. `ANALYZE` renews the statistics, and with them
    /// every plan made from the old ones. It takes no lock that writers wait for.
    public func refreshTaskStatistics(afterAdding added: Int) async {
        guard added >= Self.statisticsCheckTasks else { return }
        do {
            try await perform { [self] connection in
                var outgrown = false
                for try await tuples in try await connection.query(
                    "SELECT greatest(reltuples, 0)::float8 FROM pg_class WHERE oid = 'tasks'::regclass", logger: logger
                ).decode(Double.self) { outgrown = Double(added) >= tuples }
                guard outgrown else { return }
                try await connection.query("ANALYZE tasks, task_edges", logger: logger)
            }
        } catch {
            logger.warning("analyzing the task tables failed; autovacuum will", metadata: ["error": "\(error)"])
        }
    }
}
