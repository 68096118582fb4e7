import Foundation
import Logging
import NIOCore
import PostgresNIO
import ProvenanceCore

/// Where a batch of metric points goes: a run's own series, or a task's (whose latest attempt's execution then
/// carries each metric's last value as a custom property, so MLMD filters find it), named by the task or by the
/// lease of its running attempt (what a step's executor forwards; refused once the attempt has ended).
public enum MetricScope: Sendable, Equatable {
    case run(RunID)
    case task(TaskID)
    case attempt(LeaseToken)
}

/// One write of metric points, in the transaction the caller holds: the series are created or locked (in name
/// order, so two writers never deadlock), points without a step follow their series' last, and then one
/// statement appends a chunk per series, merges the batch into every rollup level and moves each series' latest
/// value, count, minimum and maximum on.
struct MetricWrite {
    /// The namespace the run must be in (nil for an attempt's lease, which names its task wherever it is).
    let namespaceID: NamespaceID?
    let scope: MetricScope
    let points: [MetricPoint]
    /// When points without a time were written (milliseconds since the epoch).
    let now: Int64

    /// What the write did: points written and series touched.
    struct Written: Sendable, Equatable {
        var points: Int
        var series: Int
    }

    func run(on connection: PostgresConnection, logger: Logger) async throws -> Written {
        let (namespaceID, runID, taskID, executionID) = try await target(on: connection, logger: logger)
        var byName: [String: [MetricPoint]] = [:]
        for point in points { byName[point.name, default: []].append(point) }
        let names = byName.keys.sorted()
        var series: [(id: Int64, name: String, lastStep: Int64?)] = []
        for try await (id, name, lastStep) in try await connection.prepared(MetricSQL.LockSeries.self,
            """
            INSERT INTO metric_series (namespace_id, run_id, task_id, name)
            SELECT \(namespaceID), \(runID), \(taskID)::int8, n FROM unnest(\(names)::text[]) AS n ORDER BY n
            ON CONFLICT (run_id, task_id, name) DO UPDATE SET name = excluded.name
            RETURNING id, name, last_step
            """, logger: logger
        ).decode((Int64, String, Int64?).self) { series.append((id, name, lastStep)) }

        var chunkSeries: [Int64] = [], chunkCounts: [Int32] = [], chunkFirst: [Int64] = [], chunkLast: [Int64] = []
        var chunkBlobs: [ByteBuffer] = []
        var rollup = RollupRows()
        var seriesIDs: [Int64] = [], added: [Int64] = [], firstSteps: [Int64] = [], lastSteps: [Int64] = []
        var lastValues: [Double] = [], lastTimes: [Int64] = [], minimums: [Double] = [], maximums: [Double] = []
        var lastByName: [String: Double] = [:]
        for entry in series {
            var next = (entry.lastStep ?? -1) + 1
            let stored = try byName[entry.name]!.map { point throws(ProvenanceError) in
                let step = point.step ?? next
                guard step <= MetricPoint.maximumStep else {
                    throw ProvenanceError.invalid("points", "metric \(entry.name) would pass step \(MetricPoint.maximumStep)")
                }
                next = max(next, step + 1)
                return StoredMetricPoint(step: step, value: point.value, time: point.time ?? now)
            }
            let steps = stored.map(\.step)
            chunkSeries.append(entry.id)
            chunkCounts.append(Int32(stored.count))
            chunkFirst.append(steps.min()!)
            chunkLast.append(steps.max()!)
            chunkBlobs.append(MetricChunkCodec.encode(stored))
            let levels = MetricRollup.buckets(of: stored)
            for level in MetricRollup.levels {
                for bucket in levels[level]!.values { rollup.append(series: entry.id, level: level, bucket) }
            }
            // The whole batch as one bucket: its count, extremes and last point.
            let whole = stored.dropFirst().reduce(MetricBucket(index: 0, point: stored[0])) {
                $0.merged(with: MetricBucket(index: 0, point: $1))
            }
            seriesIDs.append(entry.id)
            added.append(whole.count)
            firstSteps.append(steps.min()!)
            lastSteps.append(whole.lastStep)
            lastValues.append(whole.lastValue)
            lastTimes.append(whole.lastTime)
            minimums.append(whole.minimum)
            maximums.append(whole.maximum)
            lastByName[entry.name] = whole.lastValue
        }
        try await connection.prepared(MetricSQL.AppendPoints.self,
            """
            WITH c AS (
                INSERT INTO metric_chunks (series_id, seq, count, first_step, last_step, points)
                SELECT c.series_id, s.chunks + 1, c.count, c.first_step, c.last_step, c.points
                FROM unnest(\(chunkSeries)::int8[], \(chunkCounts)::int4[], \(chunkFirst)::int8[], \(chunkLast)::int8[],
                            \(chunkBlobs)::bytea[]) AS c(series_id, count, first_step, last_step, points)
                    JOIN metric_series s ON s.id = c.series_id
            ), r AS (
                INSERT INTO metric_rollups AS m (series_id, level, bucket, count, min_value, max_value, last_step, last_value, last_time)
                SELECT * FROM unnest(\(rollup.series)::int8[], \(rollup.levels)::int2[], \(rollup.buckets)::int8[],
                                     \(rollup.counts)::int8[], \(rollup.minimums)::float8[], \(rollup.maximums)::float8[],
                                     \(rollup.lastSteps)::int8[], \(rollup.lastValues)::float8[], \(rollup.lastTimes)::int8[])
                ON CONFLICT (series_id, level, bucket) DO UPDATE SET
                    count = m.count + excluded.count, min_value = least(m.min_value, excluded.min_value),
                    max_value = greatest(m.max_value, excluded.max_value),
                    last_step = CASE WHEN excluded.last_step >= m.last_step THEN excluded.last_step ELSE m.last_step END,
                    last_value = CASE WHEN excluded.last_step >= m.last_step THEN excluded.last_value ELSE m.last_value END,
                    last_time = CASE WHEN excluded.last_step >= m.last_step THEN excluded.last_time ELSE m.last_time END
            )
            UPDATE metric_series s SET
                points = s.points + u.added, chunks = s.chunks + 1,
                first_step = least(s.first_step, u.first_step),
                last_value = CASE WHEN s.last_step IS NULL OR u.last_step >= s.last_step THEN u.last_value ELSE s.last_value END,
                last_time = CASE WHEN s.last_step IS NULL OR u.last_step >= s.last_step THEN u.last_time ELSE s.last_time END,
                last_step = greatest(s.last_step, u.last_step),
                min_value = least(s.min_value, u.min_value), max_value = greatest(s.max_value, u.max_value)
            FROM unnest(\(seriesIDs)::int8[], \(added)::int8[], \(firstSteps)::int8[], \(lastSteps)::int8[],
                        \(lastValues)::float8[], \(lastTimes)::int8[], \(minimums)::float8[], \(maximums)::float8[])
                AS u(id, added, first_step, last_step, last_value, last_time, min_value, max_value)
            WHERE s.id = u.id
            """, logger: logger)
        if let executionID {
            try await recordLastValues(lastByName, execution: executionID, on: connection, logger: logger)
        }
        return Written(points: points.count, series: series.count)
    }

    /// The namespace and run the points belong to, the task (if any) and the execution of the task's latest
    /// attempt (of the lease's attempt).
    private func target(on connection: PostgresConnection, logger: Logger) async throws
        -> (namespace: NamespaceID, run: RunID, task: TaskID?, execution: ExecutionID?)
    {
        let namespace = namespaceID ?? NamespaceID(0)
        switch scope {
        case .run(let id):
            for try await found in try await connection.prepared(MetricSQL.RunInNamespace.self,
                "SELECT id FROM runs WHERE id = \(id) AND namespace_id = \(namespace)", logger: logger
            ).decode(RunID.self) { return (namespace, found, nil, nil) }
            throw ProvenanceError.notFound("run \(id) not found")
        case .task(let id):
            for try await (run, execution) in try await connection.prepared(MetricSQL.TaskInNamespace.self,
                """
                SELECT t.run_id, coalesce(
                    (SELECT a.execution_id FROM attempts a WHERE a.task_id = t.id ORDER BY a.number DESC LIMIT 1), t.execution_id)
                FROM tasks t WHERE t.id = \(id) AND t.namespace_id = \(namespace)
                """, logger: logger
            ).decode((RunID, ExecutionID?).self) { return (namespace, run, id, execution) }
            throw ProvenanceError.notFound("task \(id) not found")
        case .attempt(let token):
            for try await (namespace, run, state, execution) in try await connection.prepared(MetricSQL.AttemptOfLease.self,
                """
                SELECT t.namespace_id, t.run_id, a.state, a.execution_id FROM attempts a JOIN tasks t ON t.id = a.task_id
                WHERE a.task_id = \(token.taskID) AND a.number = \(Int32(clamping: token.attempt)) AND a.secret = \(token.secret)
                """, logger: logger
            ).decode((NamespaceID, RunID, Int16, ExecutionID).self) {
                guard state == AttemptState.running.rawValue else {
                    throw ProvenanceError(.leaseLost, "attempt \(token.taskID).\(token.attempt) has ended; it takes no more metric points")
                }
                return (namespace, run, token.taskID, execution)
            }
            throw ProvenanceError(.leaseLost, "lease \(token.taskID).\(token.attempt) is not one this server issued")
        }
    }

    /// Sets each metric's last value as a double custom property of the execution (`auc` → `{"double": 0.93}`).
    private func recordLastValues(
        _ values: [String: Double], execution: ExecutionID, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let names = values.keys.sorted()
        try await connection.prepared(MetricSQL.ExecutionProperties.self,
            """
            UPDATE executions SET custom_properties = custom_properties || (
                    SELECT jsonb_object_agg(v.name, jsonb_build_object('double', v.value))
                    FROM unnest(\(names)::text[], \(names.map { values[$0]! })::float8[]) AS v(name, value)),
                update_time = now(), revision = revision + 1
            WHERE id = \(execution)
            """, logger: logger)
    }
}

/// Rollup rows of one write, as the columns the append statement unnests.
private struct RollupRows {
    var series: [Int64] = [], levels: [Int16] = [], buckets: [Int64] = [], counts: [Int64] = []
    var minimums: [Double] = [], maximums: [Double] = [], lastSteps: [Int64] = [], lastValues: [Double] = []
    var lastTimes: [Int64] = []

    mutating func append(series id: Int64, level: Int16, _ bucket: MetricBucket) {
        series.append(id)
        levels.append(level)
        buckets.append(bucket.index)
        counts.append(bucket.count)
        minimums.append(bucket.minimum)
        maximums.append(bucket.maximum)
        lastSteps.append(bucket.lastStep)
        lastValues.append(bucket.lastValue)
        lastTimes.append(bucket.lastTime)
    }
}
