/// A metric series of a run (or of one of its tasks) with its latest value and extremes: what the run's metric
/// list and the comparison tables show without reading a point.
public struct MetricSeries: Sendable, Equatable {
    public var runID: RunID
    /// The task whose series it is, with its step; nil for the run's own series.
    public var taskID: TaskID?
    public var step: String?
    public var name: String
    public var points: Int64
    public var firstStep: Int64
    public var lastStep: Int64
    public var lastValue: Double
    /// Milliseconds since the epoch.
    public var lastTime: Int64
    public var minimum: Double
    public var maximum: Double

    public init(
        runID: RunID, taskID: TaskID?, step: String?, name: String, points: Int64, firstStep: Int64, lastStep: Int64,
        lastValue: Double, lastTime: Int64, minimum: Double, maximum: Double
    ) {
        (self.runID, self.taskID, self.step, self.name, self.points) = (runID, taskID, step, name, points)
        (self.firstStep, self.lastStep, self.lastValue, self.lastTime) = (firstStep, lastStep, lastValue, lastTime)
        (self.minimum, self.maximum) = (minimum, maximum)
    }
}

/// A series read downsampled: buckets of `width` steps (1: the raw points, each its own bucket).
public struct DownsampledSeries: Sendable, Equatable {
    public var series: MetricSeries
    public var width: Int64
    public var buckets: [MetricBucket]

    public init(series: MetricSeries, width: Int64, buckets: [MetricBucket]) {
        (self.series, self.width, self.buckets) = (series, width, buckets)
    }
}

/// Which series a downsampled read takes: for each run, the series named `names` of the run itself (`step` nil) or
/// of its task of that step; at most `maximumPoints` buckets each, over all steps or `steps`.
public struct MetricSelection: Sendable, Equatable {
    public var runs: [RunID]
    public var names: [String]
    public var step: String?
    public var maximumPoints: Int
    public var steps: ClosedRange<Int64>?

    public init(runs: [RunID], names: [String], step: String? = nil, maximumPoints: Int = 1000, steps: ClosedRange<Int64>? = nil) {
        (self.runs, self.names, self.step, self.maximumPoints, self.steps) = (runs, names, step, maximumPoints, steps)
    }

    /// The most runs one read may name, and the most and fewest buckets it may ask for.
    public static let maximumRuns = 1000
    public static let maximumPointsRange = 10...100_000

    public func validate() throws(ProvenanceError) {
        guard !runs.isEmpty else { throw .invalid("runs", "must name at least one run") }
        guard runs.count <= Self.maximumRuns else {
            throw .invalid("runs", "names \(runs.count) runs; one read may name at most \(Self.maximumRuns)")
        }
        guard !names.isEmpty else { throw .invalid("names", "must name at least one metric") }
        guard Self.maximumPointsRange.contains(maximumPoints) else {
            throw .invalid(
                "max_points",
                "must be between \(Self.maximumPointsRange.lowerBound) and \(Self.maximumPointsRange.upperBound), got \(maximumPoints)")
        }
    }
}
