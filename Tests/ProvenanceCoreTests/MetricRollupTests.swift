import ProvenanceCore
import Testing

/// The rollups behind downsampled reads: every level agrees with the raw points, and a spike survives at every
/// level.
@Suite struct MetricRollupTests {
    /// Points at steps 0..<count, value 1 except `spikes` (100), in a scrambled write order.
    static func points(_ count: Int64, spikes: Set<Int64>) -> [StoredMetricPoint] {
        (0..<count).map { StoredMetricPoint(step: $0, value: spikes.contains($0) ? 100 : 1, time: $0 * 10) }
            .sorted { ($0.step * 7919) % count < ($1.step * 7919) % count }
    }

    @Test func everyLevelAgreesWithTheRawPoints() {
        let points = Self.points(50_000, spikes: [3, 4_097, 49_999])
        let levels = MetricRollup.buckets(of: points)
        for level in MetricRollup.levels {
            let expected = MetricRollup.downsample(points, width: MetricRollup.width(level))
            #expect(levels[level]!.values.sorted { $0.index < $1.index } == expected, "level \(level)")
        }
    }

    @Test func aSpikeIsTheMaximumOfItsBucketAtEveryLevel() {
        let points = Self.points(20_000, spikes: [12_345])
        for (level, buckets) in MetricRollup.buckets(of: points) {
            let width = MetricRollup.width(level)
            let spiked = buckets.values.filter { $0.maximum == 100 }.map(\.index)
            #expect(spiked == [12_345 / width], "level \(level)")
            #expect(buckets.values.reduce(0) { $0 + $1.count } == 20_000)
        }
    }

    @Test func mergingTwoBatchesEqualsRollingUpTheirPointsTogether() {
        let all = Self.points(3_000, spikes: [1_500])
        let (first, second) = (Array(all.prefix(1_000)), Array(all.dropFirst(1_000)))
        let (a, b, whole) = (MetricRollup.buckets(of: first), MetricRollup.buckets(of: second), MetricRollup.buckets(of: all))
        for level in MetricRollup.levels {
            var merged = a[level]!
            for (index, bucket) in b[level]! { merged[index] = merged[index].map { $0.merged(with: bucket) } ?? bucket }
            #expect(merged == whole[level]!, "level \(level)")
        }
    }

    @Test func theLevelReadIsTheFinestThatFitsTheBuckets() {
        #expect(MetricRollup.level(covering: 0...999, maximumPoints: 1000) == 2)
        #expect(MetricRollup.level(covering: 0...999_999, maximumPoints: 1000) == 5)  // 1,024 steps a bucket: 977
        #expect(MetricRollup.level(covering: 0...16_000, maximumPoints: 1000) == 3)
        #expect(MetricRollup.level(covering: 0...Int64.max / 2, maximumPoints: 10) == 10)
        let buckets = MetricRollup.width(5)
        #expect(999_999 / buckets + 1 <= 1000)
    }

    @Test func theLastValueIsTheOneAtTheGreatestStepAndALaterWriteOfThatStepWins() {
        let early = MetricBucket(index: 0, point: StoredMetricPoint(step: 5, value: 1, time: 1))
        let late = MetricBucket(index: 0, point: StoredMetricPoint(step: 3, value: 2, time: 2))
        #expect(early.merged(with: late).lastValue == 1)
        #expect(late.merged(with: early).lastValue == 1)
        let rewrite = MetricBucket(index: 0, point: StoredMetricPoint(step: 5, value: 9, time: 3))
        #expect(early.merged(with: rewrite).lastValue == 9)
    }

    @Test func badPointsAreRefusedNamingTheField() {
        let cases: [(MetricPoint, String)] = [
            (MetricPoint(name: "", value: 1), "points[0].name"),
            (MetricPoint(name: "loss", step: -2, value: 1), "points[0].step"),
            (MetricPoint(name: "loss", value: .nan), "points[0].value"),
            (MetricPoint(name: String(repeating: "x", count: 251), value: 1), "points[0].name"),
        ]
        for (point, field) in cases {
            #expect(throws: ProvenanceError.self) { try MetricPoint.validate([point]) }
            do { try MetricPoint.validate([point]) } catch { #expect(error.details?["field"] == .string(field)) }
        }
        do {
            try MetricPoint.validate(Array(repeating: MetricPoint(name: "a", value: 1), count: 10_001))
            Issue.record("10,001 points were taken")
        } catch {
            #expect(error.code == .payloadTooLarge)
        }
    }
}
