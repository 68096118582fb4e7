/// The rollups a series keeps beside its raw points, so a downsampled read of any length reads at most about
/// `maximumPoints` rows per series instead of every point.
///
/// Level `k` cuts steps into buckets of `4^k` steps (k = 2 ... 10: 16 steps to about a million). A write adds each
/// of its points to one bucket per level; a read for `maximumPoints` buckets over a span of steps takes the finest
/// level whose buckets over that span number no more than `maximumPoints`, so it returns between a quarter of
/// that and that many buckets, each with its count, minimum, maximum and last value.
public enum MetricRollup {
    /// The levels kept, as exponents of 4.
    public static let levels: ClosedRange<Int16> = 2...10

    /// The width in steps of a level's buckets.
    public static func width(_ level: Int16) -> Int64 { Int64(1) << (2 * Int64(level)) }

    /// The finest level whose buckets cover `steps` (first and last step, inclusive) in at most `maximumPoints`
    /// buckets; the coarsest level when none does.
    public static func level(covering steps: ClosedRange<Int64>, maximumPoints: Int) -> Int16 {
        for level in levels {
            let width = width(level)
            if steps.upperBound / width - steps.lowerBound / width + 1 <= Int64(maximumPoints) { return level }
        }
        return levels.upperBound
    }

    /// The buckets `points` fill at each level, keyed by level then bucket index: what one write adds to the
    /// rollups (merged into the stored rows by `MetricBucket.merged`). Points are taken in the order written.
    public static func buckets(of points: [StoredMetricPoint]) -> [Int16: [Int64: MetricBucket]] {
        var result: [Int16: [Int64: MetricBucket]] = [:]
        var finer: [Int64: MetricBucket] = [:]
        for point in points {
            let index = point.step / width(levels.lowerBound)
            let single = MetricBucket(index: index, point: point)
            finer[index] = finer[index].map { $0.merged(with: single) } ?? single
        }
        result[levels.lowerBound] = finer
        // Each coarser level folds four buckets of the one below (their steps never overlap, so the order of the
        // fold does not matter).
        for level in levels.dropFirst() {
            var coarser: [Int64: MetricBucket] = [:]
            for bucket in finer.values {
                var folded = bucket
                folded.index = bucket.index / 4
                coarser[folded.index] = coarser[folded.index].map { $0.merged(with: folded) } ?? folded
            }
            result[level] = coarser
            finer = coarser
        }
        return result
    }

    /// Raw points as buckets of `width` steps (the read of a series short enough to need no rollup, or a
    /// reference for tests).
    public static func downsample(_ points: [StoredMetricPoint], width: Int64) -> [MetricBucket] {
        var buckets: [Int64: MetricBucket] = [:]
        for point in points {
            let index = point.step / width
            let single = MetricBucket(index: index, point: point)
            buckets[index] = buckets[index].map { $0.merged(with: single) } ?? single
        }
        return buckets.values.sorted { $0.index < $1.index }
    }
}
