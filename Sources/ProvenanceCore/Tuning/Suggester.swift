import Foundation

/// How a sweep picks its trials' parameters.
public enum SweepAlgorithm: Sendable, Equatable {
    /// Every combination of `pointsPerAxis` values of each range (every value of a short int range, every
    /// category), in order.
    case grid(pointsPerAxis: Int)
    /// Uniform (in each parameter's scale) and seeded: trial n's parameters depend only on the seed and n.
    case random(seed: UInt64)
    /// The tree-structured Parzen estimator (`TPESampler`), seeded.
    case tpe(seed: UInt64)
}

/// Whether a sweep's objective is minimized or maximized.
public enum ObjectiveDirection: String, Sendable, CaseIterable {
    case minimize, maximize
}

/// A finished trial as the algorithms see it: its parameters and its objective's value (nil: it failed or has no
/// value, and is left out of the model).
public struct TrialObservation: Sendable, Equatable {
    public var parameters: [String: JSON]
    public var value: Double?

    /// Creates an observation.
    public init(parameters: [String: JSON], value: Double?) {
        self.parameters = parameters
        self.value = value
    }
}

/// Suggests trial n's parameters from the space, the algorithm and the trials so far. The same inputs give the same
/// suggestion (the generator is seeded by the sweep's seed and n), so a suggestion made again after a restart is the
/// one made before.
public struct Suggester: Sendable {
    public var space: SearchSpace
    public var algorithm: SweepAlgorithm
    public var direction: ObjectiveDirection

    /// Creates a suggester.
    public init(space: SearchSpace, algorithm: SweepAlgorithm, direction: ObjectiveDirection = .minimize) {
        self.space = space
        self.algorithm = algorithm
        self.direction = direction
    }

    /// Trial `number`'s parameters (from 0); nil when a grid has no combination left.
    public func suggest(trial number: Int, history: [TrialObservation]) -> [String: JSON]? {
        switch algorithm {
        case .grid(let points):
            return GridPoints(space: space, pointsPerAxis: points).point(number)
        case .random(let seed):
            var generator = SeededGenerator(seed: Self.mix(seed, number))
            return Dictionary(uniqueKeysWithValues: space.parameters.map { ($0.name, $0.domain.value(at: generator.unit())) })
        case .tpe(let seed):
            var generator = SeededGenerator(seed: Self.mix(seed, number))
            let sign = direction == .minimize ? 1.0 : -1.0
            let observed = history.compactMap { observation -> (units: [Double], value: Double)? in
                guard let value = observation.value, value.isFinite else { return nil }
                var units: [Double] = []
                for parameter in space.parameters {
                    guard let given = observation.parameters[parameter.name], let unit = parameter.domain.unit(of: given) else { return nil }
                    units.append(unit)
                }
                return (units, sign * value)
            }
            let units = TPESampler(space: space).suggest(observed: observed, generator: &generator)
            return Dictionary(uniqueKeysWithValues: zip(space.parameters, units).map { ($0.name, $0.domain.value(at: $1)) })
        }
    }

    /// A generator seed for trial `number` of a sweep seeded `seed`.
    static func mix(_ seed: UInt64, _ number: Int) -> UInt64 {
        var generator = SeededGenerator(seed: seed ^ (UInt64(truncatingIfNeeded: number) &* 0xD6E8_FEB8_6659_FD93))
        return generator.next()
    }
}

/// The points of a grid search, numbered in mixed radix (the last parameter changing fastest).
struct GridPoints {
    let axes: [(name: String, values: [JSON])]

    init(space: SearchSpace, pointsPerAxis: Int) {
        let points = max(pointsPerAxis, 2)
        axes = space.parameters.map { parameter in
            switch parameter.domain {
            case .categorical(let values):
                return (parameter.name, values)
            case .int(let low, let high, let log):
                if high - low + 1 <= Int64(points), !log { return (parameter.name, (low...high).map { JSON.int($0) }) }
                var values: [JSON] = []
                for index in 0..<points {
                    let t = Double(index) / Double(points - 1)
                    let raw = log ? Foundation.exp(Foundation.log(Double(low)) + t * (Foundation.log(Double(high)) - Foundation.log(Double(low))))
                        : Double(low) + t * Double(high - low)
                    let value = JSON.int(Int64(raw.rounded()))
                    if !values.contains(value) { values.append(value) }
                }
                return (parameter.name, values)
            case .double(let low, let high, let log):
                return (parameter.name, (0..<points).map { index in
                    let t = Double(index) / Double(points - 1)
                    let raw = log ? Foundation.exp(Foundation.log(low) + t * (Foundation.log(high) - Foundation.log(low))) : low + t * (high - low)
                    return .double(min(max(raw, low), high))
                })
            }
        }
    }

    /// How many points the grid has.
    var count: Int { axes.reduce(1) { $0 * $1.values.count } }

    /// Point `number`, or nil past the last.
    func point(_ number: Int) -> [String: JSON]? {
        guard number >= 0, number < count else { return nil }
        var rest = number
        var point: [String: JSON] = [:]
        for axis in axes.reversed() {
            point[axis.name] = axis.values[rest % axis.values.count]
            rest /= axis.values.count
        }
        return point
    }
}
