import Foundation
import ProvenanceCore

/// `POST .../runs/{id}/metrics` and `.../tasks/{id}/metrics`: `{"points": [{"name", "step"?, "value", "time"?}]}`
/// (`time` in milliseconds since the epoch), at most `MetricPoint.maximumPerRequest` points.
public struct MetricBatch: WireMessage {
    public var points: [MetricPoint]

    public init(points: [MetricPoint]) { self.points = points }

    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(["points"])
        guard let items = try reader.array("points") else { throw .invalid("points", "is required") }
        guard items.count <= MetricPoint.maximumPerRequest else {
            // Named before each point is read: a client sending a million points learns the limit at once.
            throw MetricPoint.tooMany(items.count, field: "points")
        }
        points = []
        points.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            let point = try JSONObjectReader(item, in: "points", at: index)
            try point.rejectUnknown(["name", "step", "value", "time"])
            guard let value = try point.double("value") else { throw .invalid(point.field("value"), "is required") }
            points.append(MetricPoint(
                name: try point.requiredString("name"), step: try point.int("step"), value: value, time: try point.int("time")))
        }
        try MetricPoint.validate(points)
    }

    public var json: JSON {
        .object([(key: "points", value: .array(points.map { point in
            var members: [(key: String, value: JSON)] = [(key: "name", value: .string(point.name))]
            if let step = point.step { members.append((key: "step", value: .int(step))) }
            members.append((key: "value", value: .double(point.value)))
            if let time = point.time { members.append((key: "time", value: .int(time))) }
            return .object(members)
        }))])
    }
}

/// `POST /api/v1/leases:metrics`: `{"token", "points": [...]}`, the points a running step wrote, forwarded by its
/// executor to the task's series (refused with 409 once the attempt has ended).
public struct MetricLeaseBatch: WireMessage {
    public var token: LeaseToken
    public var points: [MetricPoint]

    public init(token: LeaseToken, points: [MetricPoint]) { (self.token, self.points) = (token, points) }

    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(["token", "points"])
        let token = try LeaseToken(parsing: try reader.requiredString("token"))
        let batch = try MetricBatch(json: .object([(key: "points", value: reader.value("points") ?? .array([]))]))
        self.init(token: token, points: batch.points)
    }

    public var json: JSON {
        guard case .object(let members) = MetricBatch(points: points).json else { return .null }
        return .object([(key: "token", value: .string(token.description))] + members)
    }
}

/// The answer to a metric write: `{"written": points, "series": series touched}`.
public struct MetricWriteAnswer: WireMessage {
    public var written: Int
    public var series: Int

    public init(written: Int, series: Int) { (self.written, self.series) = (written, series) }

    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "")
        written = Int(try reader.int("written") ?? 0)
        series = Int(try reader.int("series") ?? 0)
    }

    public var json: JSON { .object([(key: "written", value: .int(Int64(written))), (key: "series", value: .int(Int64(series)))]) }
}

/// `GET .../runs/{id}/metrics`: `{"metrics": [series]}`, each with its latest value and extremes.
public struct MetricSeriesList: WireMessage {
    public var metrics: [MetricSeries]

    public init(metrics: [MetricSeries]) { self.metrics = metrics }

    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "")
        metrics = try (reader.array("metrics") ?? []).enumerated().map { index, item throws(ProvenanceError) in
            try WireMetric.series(try JSONObjectReader(item, in: "metrics", at: index))
        }
    }

    public var json: JSON { .object([(key: "metrics", value: .array(metrics.map(WireMetric.json)))]) }
}

/// `GET .../runs/{id}/metrics:points?name=&task_id=&page_size=&page_token=`: a series' points in the order written,
/// `{"points": [{"step", "value", "time"}], "next_page_token"?}`.
public struct MetricPointsPage: WireMessage {
    public var points: [StoredMetricPoint]
    public var nextPageToken: String?

    public init(points: [StoredMetricPoint], nextPageToken: String?) { (self.points, self.nextPageToken) = (points, nextPageToken) }

    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "")
        points = try (reader.array("points") ?? []).enumerated().map { index, item throws(ProvenanceError) in
            let point = try JSONObjectReader(item, in: "points", at: index)
            return StoredMetricPoint(step: try point.int("step") ?? 0, value: try point.double("value") ?? 0, time: try point.int("time") ?? 0)
        }
        nextPageToken = try reader.string("next_page_token")
    }

    public var json: JSON {
        var members: [(key: String, value: JSON)] = [(key: "points", value: .array(points.map { point in
            .object([(key: "step", value: .int(point.step)), (key: "value", value: .double(point.value)), (key: "time", value: .int(point.time))])
        }))]
        if let nextPageToken { members.append((key: "next_page_token", value: .string(nextPageToken))) }
        return .object(members)
    }
}

/// `GET .../metrics:downsample?runs=1,2&names=loss,auc&step=&max_points=&step_from=&step_to=` (or the same as a
/// JSON body to `POST`, for long lists of runs): which series to read downsampled.
public struct DownsampleQuery: Sendable, Equatable {
    public var selection: MetricSelection

    public init(_ selection: MetricSelection) { self.selection = selection }

    public init(query: QueryString) throws(ProvenanceError) {
        let runs = try Self.list(query.value("runs"), field: "runs").map { text throws(ProvenanceError) in
            guard let id = Int64(text) else { throw .invalid("runs", "expected run ids separated by commas, got '\(text)'") }
            return RunID(id)
        }
        var selection = MetricSelection(runs: runs, names: try Self.list(query.value("names"), field: "names"), step: try query.value("step"))
        if let points = try query.integer("max_points") { selection.maximumPoints = Int(clamping: points) }
        selection.steps = try Self.steps(from: try query.integer("step_from"), to: try query.integer("step_to"))
        try selection.validate()
        self.selection = selection
    }

    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(["runs", "names", "step", "max_points", "step_from", "step_to"])
        let runs = try (reader.array("runs") ?? []).enumerated().map { index, item throws(ProvenanceError) in
            guard case .int(let id) = item else { throw .invalid("runs[\(index)]", "expected a run id, got \(item.kindName)") }
            return RunID(id)
        }
        var selection = MetricSelection(runs: runs, names: try reader.strings("names") ?? [], step: try reader.string("step"))
        if let points = try reader.int("max_points") { selection.maximumPoints = Int(clamping: points) }
        selection.steps = try Self.steps(from: try reader.int("step_from"), to: try reader.int("step_to"))
        try selection.validate()
        self.selection = selection
    }

    /// The query a client sends.
    public var query: QueryString {
        var query = QueryString()
        query.append("runs", selection.runs.map { String($0.rawValue) }.joined(separator: ","))
        query.append("names", selection.names.joined(separator: ","))
        if let step = selection.step { query.append("step", step) }
        query.append("max_points", String(selection.maximumPoints))
        if let steps = selection.steps {
            query.append("step_from", String(steps.lowerBound))
            query.append("step_to", String(steps.upperBound))
        }
        return query
    }

    private static func list(_ text: String?, field: String) throws(ProvenanceError) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private static func steps(from: Int64?, to: Int64?) throws(ProvenanceError) -> ClosedRange<Int64>? {
        guard from != nil || to != nil else { return nil }
        let (lower, upper) = (from ?? 0, to ?? Int64.max)
        guard lower >= 0, lower <= upper else { throw .invalid("step_from", "must be at least 0 and at most step_to") }
        return lower...upper
    }
}

/// The answer to a downsampled read: `{"series": [...]}`, each series with its `width` in steps and its buckets as
/// columns (`step`: the bucket's first step, `count`, `min`, `max`, `last`, `last_step`), so a chart draws a
/// min/max band and a line of last values and no spike is lost.
public struct DownsampledMetrics: WireMessage {
    public var series: [DownsampledSeries]

    public init(series: [DownsampledSeries]) { self.series = series }

    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "")
        series = try (reader.array("series") ?? []).enumerated().map { index, item throws(ProvenanceError) in
            let entry = try JSONObjectReader(item, in: "series", at: index)
            let width = try entry.int("width") ?? 1
            guard let columns = try entry.object("buckets") else { throw .invalid(entry.field("buckets"), "is required") }
            func column(_ key: String) throws(ProvenanceError) -> [JSON] { try columns.array(key) ?? [] }
            let (steps, counts, minimums, maximums, lasts, lastSteps, lastTimes) = (
                try column("step"), try column("count"), try column("min"), try column("max"), try column("last"),
                try column("last_step"), try column("last_time"))
            let buckets = steps.indices.map { index in
                MetricBucket(
                    index: (steps[index].intValue ?? 0) / width, count: counts[safe: index]?.intValue ?? 0,
                    minimum: minimums[safe: index]?.numberValue ?? 0, maximum: maximums[safe: index]?.numberValue ?? 0,
                    lastStep: lastSteps[safe: index]?.intValue ?? 0, lastValue: lasts[safe: index]?.numberValue ?? 0,
                    lastTime: lastTimes[safe: index]?.intValue ?? 0)
            }
            return DownsampledSeries(series: try WireMetric.series(entry), width: width, buckets: buckets)
        }
    }

    public var json: JSON {
        .object([(key: "series", value: .array(series.map { entry in
            guard case .object(var members) = WireMetric.json(entry.series) else { return .null }
            let buckets = entry.buckets
            members.append((key: "width", value: .int(entry.width)))
            members.append((key: "buckets", value: .object([
                (key: "step", value: .array(buckets.map { .int($0.index * entry.width) })),
                (key: "count", value: .array(buckets.map { .int($0.count) })),
                (key: "min", value: .array(buckets.map { .double($0.minimum) })),
                (key: "max", value: .array(buckets.map { .double($0.maximum) })),
                (key: "last", value: .array(buckets.map { .double($0.lastValue) })),
                (key: "last_step", value: .array(buckets.map { .int($0.lastStep) })),
                (key: "last_time", value: .array(buckets.map { .int($0.lastTime) })),
            ])))
            return .object(members)
        }))])
    }
}

/// The REST form of a metric series.
public enum WireMetric {
    public static func json(_ series: MetricSeries) -> JSON {
        var members: [(key: String, value: JSON)] = [(key: "run_id", value: .int(series.runID.rawValue))]
        if let task = series.taskID { members.append((key: "task_id", value: .int(task.rawValue))) }
        if let step = series.step { members.append((key: "step", value: .string(step))) }
        members += [
            (key: "name", value: .string(series.name)), (key: "points", value: .int(series.points)),
            (key: "first_step", value: .int(series.firstStep)), (key: "last_step", value: .int(series.lastStep)),
            (key: "last_value", value: .double(series.lastValue)), (key: "last_time", value: .int(series.lastTime)),
            (key: "min", value: .double(series.minimum)), (key: "max", value: .double(series.maximum)),
        ]
        return .object(members)
    }

    public static func series(_ reader: JSONObjectReader) throws(ProvenanceError) -> MetricSeries {
        MetricSeries(
            runID: RunID(try reader.int("run_id") ?? 0), taskID: try reader.int("task_id").map(TaskID.init),
            step: try reader.string("step"), name: try reader.requiredString("name"), points: try reader.int("points") ?? 0,
            firstStep: try reader.int("first_step") ?? 0, lastStep: try reader.int("last_step") ?? 0,
            lastValue: try reader.double("last_value") ?? 0, lastTime: try reader.int("last_time") ?? 0,
            minimum: try reader.double("min") ?? 0, maximum: try reader.double("max") ?? 0)
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
