/// What a run of consecutive steps of one series comes to: how many points, the least and greatest value (so a
/// spike survives any downsampling) and the value at the last step. Rollups and downsampled reads are made of
/// these.
public struct MetricBucket: Sendable, Equatable {
    /// The bucket's index at its width: it covers steps `index * width ..< (index + 1) * width`.
    public var index: Int64
    public var count: Int64
    public var minimum: Double
    public var maximum: Double
    /// The greatest step in the bucket, and its value and time (of two points at one step, the later written).
    public var lastStep: Int64
    public var lastValue: Double
    public var lastTime: Int64

    public init(
        index: Int64, count: Int64, minimum: Double, maximum: Double, lastStep: Int64, lastValue: Double, lastTime: Int64
    ) {
        (self.index, self.count, self.minimum, self.maximum) = (index, count, minimum, maximum)
        (self.lastStep, self.lastValue, self.lastTime) = (lastStep, lastValue, lastTime)
    }

    /// A bucket of one point.
    public init(index: Int64, point: StoredMetricPoint) {
        self.init(
            index: index, count: 1, minimum: point.value, maximum: point.value, lastStep: point.step, lastValue: point.value,
            lastTime: point.time)
    }

    /// This bucket and `other` (written after it) as one: the same rule the database applies when a rollup row
    /// takes a new batch (`MetricRollup.mergeSQL`).
    public func merged(with other: MetricBucket) -> MetricBucket {
        let otherIsLast = other.lastStep >= lastStep
        return MetricBucket(
            index: index, count: count + other.count, minimum: Swift.min(minimum, other.minimum),
            maximum: Swift.max(maximum, other.maximum), lastStep: otherIsLast ? other.lastStep : lastStep,
            lastValue: otherIsLast ? other.lastValue : lastValue, lastTime: otherIsLast ? other.lastTime : lastTime)
    }
}
