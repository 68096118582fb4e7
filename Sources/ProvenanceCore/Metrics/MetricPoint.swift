/// One point of a metric series as a client writes it: `{name, step?, value, time?}`. A point without a step
/// follows the series' last step (0 for a new series); one without a time is stamped by the server.
public struct MetricPoint: Sendable, Equatable {
    public var name: String
    public var step: Int64?
    public var value: Double
    /// Milliseconds since the epoch.
    public var time: Int64?

    public init(name: String, step: Int64? = nil, value: Double, time: Int64? = nil) {
        (self.name, self.step, self.value, self.time) = (name, step, value, time)
    }

    /// The longest metric name (MLflow allows 250 characters).
    public static let maximumNameLength = 250
    /// The greatest step (2^50, about 10^15): room to count every step of any training loop, and far from overflow.
    public static let maximumStep: Int64 = 1 << 50
    /// The most points one request may write; more is a 413 that names the limit.
    public static let maximumPerRequest = 10_000

    /// The error for a request of `count` points, over the limit (413).
    public static func tooMany(_ count: Int, field: String) -> ProvenanceError {
        ProvenanceError(
            .payloadTooLarge,
            "\(count) metric points in one request; at most \(maximumPerRequest) may be written at once (send them in batches)",
            details: ["field": .string(field), "limit": .int(Int64(maximumPerRequest))])
    }

    /// Checks a batch: its size, and each point's name, step and value, naming the first bad field.
    public static func validate(_ points: [MetricPoint], field: String = "points") throws(ProvenanceError) {
        guard !points.isEmpty else { throw .invalid(field, "must hold at least one point") }
        guard points.count <= maximumPerRequest else { throw tooMany(points.count, field: field) }
        for (index, point) in points.enumerated() {
            let path = "\(field)[\(index)]"
            try Validation.requireName(point.name, field: path + ".name")
            guard point.name.count <= maximumNameLength else {
                throw .invalid(path + ".name", "is longer than \(maximumNameLength) characters")
            }
            if let step = point.step, !(0...maximumStep).contains(step) {
                throw .invalid(path + ".step", "must be between 0 and \(maximumStep), got \(step)")
            }
            guard point.value.isFinite else { throw .invalid(path + ".value", "must be a finite number") }
        }
    }
}

/// A stored point: its step, value and time (milliseconds since the epoch).
public struct StoredMetricPoint: Sendable, Equatable {
    public var step: Int64
    public var value: Double
    public var time: Int64

    public init(step: Int64, value: Double, time: Int64) {
        (self.step, self.value, self.time) = (step, value, time)
    }
}
