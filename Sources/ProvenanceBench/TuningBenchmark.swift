import Foundation
import ProvenanceCore

/// `provenance bench tuning`: the sweep algorithms on the standard test functions, in-process (the suggester is pure
/// Core): the median best value after `trials` trials over `seeds` seeds of TPE against random search, on
/// Hartmann-6 (minimum −3.32237) and Branin (minimum 0.397887); then the suggest latency of TPE with `largeStudy`
/// trials already in the study.
public struct TuningBenchmark: Sendable {
    public var trials = 100
    public var seeds = 30
    public var largeStudy = 10_000

    /// Creates a benchmark with the issue's sizes.
    public init() {}

    static let hartmannTarget = -3.0
    static let latencyTarget = 0.020

    /// Runs it, printing through `report`.
    public func run(report: (String) -> Void) {
        report("provenance bench tuning: \(trials) trials, \(seeds) seeds, the median of each seed's best value")
        var results: [(name: String, tpe: Double, random: Double, optimum: Double)] = []
        for function in TestFunction.all {
            let tpe = median((0..<seeds).map { best(function, .tpe(seed: UInt64($0)), trials: trials) })
            let random = median((0..<seeds).map { best(function, .random(seed: UInt64($0)), trials: trials) })
            results.append((function.name, tpe, random, function.optimum))
            report("\(function.name) (optimum \(function.optimum)): TPE median \(String(format: "%.4f", tpe)), "
                + "random median \(String(format: "%.4f", random))")
        }
        let latencies = suggestLatencies()
        let sorted = latencies.sorted()
        let p50 = sorted[sorted.count / 2], p99 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
        let small = suggestLatencies(studySize: 100).sorted()
        report("TPE suggest with \(largeStudy) trials in the study (Hartmann-6): p50 \(milliseconds(p50)), p99 \(milliseconds(p99)); "
            + "with 100 trials: p50 \(milliseconds(small[small.count / 2])) (\(ratio(p50 / max(small[small.count / 2], 1e-9))) as long)")
        report("")
        report("targets:")
        let hartmann = results[0]
        report(targetLine("TPE median on Hartmann-6 in \(trials) trials <= -3.0 (random: \(String(format: "%.2f", hartmann.random)))", hartmann.tpe <= Self.hartmannTarget))
        report(targetLine("TPE suggest p99 <= 20 ms with \(largeStudy) trials in a study", p99 <= Self.latencyTarget))
    }

    /// The best value one sweep of `trials` trials finds.
    func best(_ function: TestFunction, _ algorithm: SweepAlgorithm, trials: Int) -> Double {
        let suggester = Suggester(space: function.space, algorithm: algorithm)
        var history: [TrialObservation] = []
        var best = Double.infinity
        for number in 0..<trials {
            guard let parameters = suggester.suggest(trial: number, history: history) else { break }
            let value = function.evaluate(parameters)
            best = min(best, value)
            history.append(TrialObservation(parameters: parameters, value: value))
        }
        return best
    }

    /// Seconds per suggestion with `studySize` random trials already observed.
    func suggestLatencies(studySize: Int? = nil) -> [Double] {
        let function = TestFunction.all[0]
        let suggester = Suggester(space: function.space, algorithm: .tpe(seed: 1))
        let random = Suggester(space: function.space, algorithm: .random(seed: 2))
        var history: [TrialObservation] = []
        for number in 0..<(studySize ?? largeStudy) {
            let parameters = random.suggest(trial: number, history: [])!
            history.append(TrialObservation(parameters: parameters, value: function.evaluate(parameters)))
        }
        var latencies: [Double] = []
        for number in 0..<50 {
            let start = Date()
            _ = suggester.suggest(trial: history.count + number, history: history)
            latencies.append(Date().timeIntervalSince(start))
        }
        return latencies
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

/// A standard optimization test function over its search space.
struct TestFunction: Sendable {
    let name: String
    let optimum: Double
    let space: SearchSpace
    let evaluate: @Sendable ([String: JSON]) -> Double

    static let all = [hartmann6, branin]

    static func number(_ parameters: [String: JSON], _ name: String) -> Double {
        if case .double(let value)? = parameters[name] { return value }
        return .nan
    }

    /// Hartmann-6 on [0, 1]^6.
    static let hartmann6 = TestFunction(
        name: "Hartmann-6", optimum: -3.32237,
        space: SearchSpace((1...6).map { (name: "x\($0)", domain: .double(min: 0, max: 1, log: false)) }),
        evaluate: { parameters in
            let x = (1...6).map { number(parameters, "x\($0)") }
            let alpha = [1.0, 1.2, 3.0, 3.2]
            let a: [[Double]] = [
                [10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14],
            ]
            let p: [[Double]] = [
                [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
                [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
            ]
            var total = 0.0
            for i in 0..<4 {
                var inner = 0.0
                for j in 0..<6 { inner += a[i][j] * (x[j] - p[i][j]) * (x[j] - p[i][j]) }
                total -= alpha[i] * exp(-inner)
            }
            return total
        })

    /// Branin on [-5, 10] x [0, 15].
    static let branin = TestFunction(
        name: "Branin", optimum: 0.397887,
        space: SearchSpace([(name: "x1", domain: .double(min: -5, max: 10, log: false)), (name: "x2", domain: .double(min: 0, max: 15, log: false))]),
        evaluate: { parameters in
            let (x1, x2) = (number(parameters, "x1"), number(parameters, "x2"))
            let b = 5.1 / (4 * Double.pi * Double.pi), c = 5 / Double.pi, t = 1 / (8 * Double.pi)
            return pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * cos(x1) + 10
        })
}
