/// The metric statements that run as prepared statements (see `PreparedQueryName`).
enum MetricSQL {
    enum RunInNamespace: PreparedQueryName { static let name = "metric_run" }
    enum TaskInNamespace: PreparedQueryName { static let name = "metric_task" }
    enum AttemptOfLease: PreparedQueryName { static let name = "metric_attempt" }
    enum LockSeries: PreparedQueryName { static let name = "metric_lock_series" }
    enum AppendPoints: PreparedQueryName { static let name = "metric_append" }
    enum ExecutionProperties: PreparedQueryName { static let name = "metric_execution_properties" }
    enum SeriesOfRun: PreparedQueryName { static let name = "metric_series_of_run" }
    enum SeriesByName: PreparedQueryName { static let name = "metric_series_by_name" }
    enum ChunkPage: PreparedQueryName { static let name = "metric_chunk_page" }
    enum AllChunks: PreparedQueryName { static let name = "metric_all_chunks" }
    enum Rollups: PreparedQueryName { static let name = "metric_rollups" }
}
