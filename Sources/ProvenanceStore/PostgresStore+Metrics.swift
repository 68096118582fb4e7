import Foundation
import NIOCore
import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// Writes a batch of metric points (at most `MetricPoint.maximumPerRequest`) to the series of a run or task, in
    /// one transaction (see `MetricWrite`).
    /// `namespace` is the one the run must be in; an attempt's lease names its task in any (pass nil).
    public func writeMetrics(_ points: [MetricPoint], to scope: MetricScope, namespace: String?)
        async throws(ProvenanceError) -> (points: Int, series: Int)
    {
        try MetricPoint.validate(points)
        var namespaceID: NamespaceID?
        if let namespace { namespaceID = try await self.namespaceID(namespace) }
        let write = MetricWrite(
            namespaceID: namespaceID, scope: scope, points: points,
            now: Int64(Date().timeIntervalSince1970 * 1000))
        let written = try await transaction { [logger] connection in try await write.run(on: connection, logger: logger) }
        return (written.points, written.series)
    }

    /// The metric series of run `id` (its own, then its tasks' by step), each with its latest value and extremes.
    public func metricSeries(ofRun id: RunID, namespace: String) async throws(ProvenanceError) -> [MetricSeries] {
        let namespaceID = try await namespaceID(namespace)
        _ = try await runSummary(id, namespace: namespace)
        return try await perform { [self] connection in
            var found: [MetricSeries] = []
            for try await row in try await connection.prepared(MetricSQL.SeriesOfRun.self,
                """
                SELECT \(unescaped: MetricSeriesRow.columns)
                FROM metric_series s LEFT JOIN tasks t ON t.id = s.task_id
                WHERE s.run_id = \(id) AND s.namespace_id = \(namespaceID) AND s.points > 0
                ORDER BY t.step NULLS FIRST, s.name
                """, logger: logger
            ) { found.append(try MetricSeriesRow(row).series) }
            return found
        }
    }

    /// A page of the points of one series in the order they were written: the series `name` of run `run` (or of
    /// its task `task`), from `after` (a position a page before returned) on.
    public func metricPoints(
        run: RunID, task: TaskID?, name: String, after: MetricPosition?, limit: Int, namespace: String
    ) async throws(ProvenanceError) -> (points: [StoredMetricPoint], next: MetricPosition?) {
        let namespaceID = try await namespaceID(namespace)
        guard let series = try await seriesIDs(runs: [run], task: task, step: nil, names: [name], namespaceID: namespaceID).first else {
            throw .notFound("run \(run) has no metric \(name)" + (task.map { " for task \($0)" } ?? ""))
        }
        return try await perform { [self] connection in
            var points: [StoredMetricPoint] = []
            var position = after ?? MetricPosition(chunk: 1, offset: 0)
            while points.count < limit {
                var read = 0
                for try await (seq, blob) in try await connection.prepared(MetricSQL.ChunkPage.self,
                    """
                    SELECT seq, points FROM metric_chunks WHERE series_id = \(series.id) AND seq >= \(Int32(clamping: position.chunk))
                    ORDER BY seq LIMIT 8
                    """, logger: logger
                ).decode((Int32, ByteBuffer).self) {
                    read += 1
                    let chunk = try MetricChunkCodec.decode(blob)
                    let start = Int(seq) == position.chunk ? position.offset : 0
                    let taken = chunk.dropFirst(start).prefix(limit - points.count)
                    points.append(contentsOf: taken)
                    position = start + taken.count < chunk.count
                        ? MetricPosition(chunk: Int(seq), offset: start + taken.count) : MetricPosition(chunk: Int(seq) + 1, offset: 0)
                    if points.count == limit { break }
                }
                if read < 8 { break }
            }
            let more = points.count == limit && position.chunk <= series.chunks
            return (points, more ? position : nil)
        }
    }

    /// The series `selection` names, downsampled alike: one width of steps for all (the finest rollup level
    /// whose buckets over their steps number at most `maximumPoints`), or their raw points when every series has
    /// that few. Series a run lacks are left out.
    public func downsampledMetrics(_ selection: MetricSelection, namespace: String) async throws(ProvenanceError)
        -> [DownsampledSeries]
    {
        try selection.validate()
        let namespaceID = try await namespaceID(namespace)
        let found = try await seriesIDs(
            runs: selection.runs, task: nil, step: selection.step, names: selection.names, namespaceID: namespaceID)
        guard !found.isEmpty else { return [] }
        let ids = found.map(\.id)
        let span = selection.steps ?? (found.map(\.series.firstStep).min()!...found.map(\.series.lastStep).max()!)
        let raw = found.allSatisfy { $0.series.points <= Int64(selection.maximumPoints) }
        return try await perform { [self] connection in
            var buckets: [Int64: [MetricBucket]] = [:]
            let width: Int64
            if raw {
                width = 1
                var points: [Int64: [StoredMetricPoint]] = [:]
                for try await (series, blob) in try await connection.prepared(MetricSQL.AllChunks.self,
                    "SELECT series_id, points FROM metric_chunks WHERE series_id = ANY(\(ids)) ORDER BY series_id, seq", logger: logger
                ).decode((Int64, ByteBuffer).self) {
                    points[series, default: []].append(contentsOf: try MetricChunkCodec.decode(blob).filter { span.contains($0.step) })
                }
                for (series, list) in points { buckets[series] = MetricRollup.downsample(list, width: 1) }
            } else {
                let level = MetricRollup.level(covering: span, maximumPoints: selection.maximumPoints)
                width = MetricRollup.width(level)
                for try await row in try await connection.prepared(MetricSQL.Rollups.self,
                    """
                    SELECT series_id, array_agg(bucket), array_agg(count), array_agg(min_value), array_agg(max_value),
                        array_agg(last_step), array_agg(last_value), array_agg(last_time)
                    FROM (SELECT * FROM metric_rollups
                          WHERE series_id = ANY(\(ids)) AND level = \(level)
                              AND bucket BETWEEN \(span.lowerBound / width) AND \(span.upperBound / width)
                          ORDER BY series_id, bucket) r
                    GROUP BY series_id
                    """, logger: logger
                ) {
                    let (series, indexColumn, countColumn, minimumColumn, maximumColumn, lastStepColumn, lastValueColumn,
                        lastTimeColumn) = try row.decode(
                        (Int64, FixedWidthArray<Int64>, FixedWidthArray<Int64>, FixedWidthArray<Double>,
                         FixedWidthArray<Double>, FixedWidthArray<Int64>, FixedWidthArray<Double>, FixedWidthArray<Int64>).self)
                    let (indexes, counts, minimums, maximums) =
                        (indexColumn.values, countColumn.values, minimumColumn.values, maximumColumn.values)
                    let (lastSteps, lastValues, lastTimes) = (lastStepColumn.values, lastValueColumn.values, lastTimeColumn.values)
                    guard Set([indexes.count, counts.count, minimums.count, maximums.count, lastSteps.count, lastValues.count,
                               lastTimes.count]).count == 1
                    else { throw ProvenanceError(.internal, "the rollup columns of series \(series) differ in length") }
                    // The rows reach the aggregates in bucket order (the ordered subquery); sorted again in case
                    // a plan ever feeds them otherwise.
                    buckets[series] = indexes.indices.map { index in
                        MetricBucket(
                            index: indexes[index], count: counts[index], minimum: minimums[index], maximum: maximums[index],
                            lastStep: lastSteps[index], lastValue: lastValues[index], lastTime: lastTimes[index])
                    }
                    if !zip(indexes, indexes.dropFirst()).allSatisfy({ $0 < $1 }) { buckets[series]!.sort { $0.index < $1.index } }
                }
            }
            return found.map { DownsampledSeries(series: $0.series, width: width, buckets: buckets[$0.id] ?? []) }
        }
    }

    /// The series of `names` in `runs`: the runs' own (`task` and `step` nil), task `task`'s, or those of each run's
    /// task of step `step`; by run order, then name order.
    private func seriesIDs(runs: [RunID], task: TaskID?, step: String?, names: [String], namespaceID: NamespaceID)
        async throws(ProvenanceError) -> [(id: Int64, chunks: Int, series: MetricSeries)]
    {
        try await perform { [self] connection in
            var found: [(id: Int64, chunks: Int, series: MetricSeries)] = []
            for try await row in try await connection.prepared(MetricSQL.SeriesByName.self,
                """
                SELECT \(unescaped: MetricSeriesRow.columns), s.id, s.chunks
                FROM metric_series s LEFT JOIN tasks t ON t.id = s.task_id
                WHERE s.run_id = ANY(\(runs)) AND s.namespace_id = \(namespaceID) AND s.name = ANY(\(names)) AND s.points > 0
                    AND CASE WHEN \(task)::int8 IS NOT NULL THEN s.task_id = \(task)::int8
                             WHEN \(step)::text IS NOT NULL THEN t.step = \(step)::text
                             ELSE s.task_id IS NULL END
                """, logger: logger
            ) {
                let series = try MetricSeriesRow(row).series
                let (_, _, _, _, _, _, _, _, _, _, _, id, chunks) = try row.decode(
                    (RunID, TaskID?, String?, String, Int64, Int64, Int64, Double, Int64, Double, Double, Int64, Int32).self)
                found.append((id, Int(chunks), series))
            }
            let runOrder = Dictionary(runs.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            return found.sorted {
                (runOrder[$0.series.runID]!, $0.series.step ?? "", $0.series.name) < (runOrder[$1.series.runID]!, $1.series.step ?? "", $1.series.name)
            }
        }
    }
}

/// Where a page of a series' points ends: the chunk and the offset in it of the next point.
public struct MetricPosition: Sendable, Equatable {
    public var chunk: Int
    public var offset: Int

    public init(chunk: Int, offset: Int) { (self.chunk, self.offset) = (chunk, offset) }
}

/// A series as the metric reads select it: a row of `columns` over `metric_series s` and `tasks t`.
struct MetricSeriesRow {
    let series: MetricSeries

    static let columns = """
        s.run_id, s.task_id, t.step, s.name, s.points, s.first_step, s.last_step, s.last_value, s.last_time, s.min_value,
        s.max_value
        """

    /// Reads the row's first columns (a statement may select more after them).
    init(_ row: PostgresRow) throws {
        let (runID, taskID, step, name, points, firstStep, lastStep, lastValue, lastTime, minimum, maximum) =
            try row.decode((RunID, TaskID?, String?, String, Int64, Int64, Int64, Double, Int64, Double, Double).self)
        series = MetricSeries(
            runID: runID, taskID: taskID, step: step, name: name, points: points, firstStep: firstStep, lastStep: lastStep,
            lastValue: lastValue, lastTime: lastTime, minimum: minimum, maximum: maximum)
    }
}
