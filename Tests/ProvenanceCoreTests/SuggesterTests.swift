import Testing

@testable import ProvenanceCore

/// Search spaces and the sweep algorithms: values stay in their domains, suggestions are the same for the same
/// trial however often they are asked for, a grid ends, and TPE beats random search on a test function.
@Suite struct SuggesterTests {
    static let space = try! SearchSpace(json: [
        "lr": ["type": "double", "min": 0.0001, "max": 0.1, "scale": "log"],
        "depth": ["type": "int", "min": 2, "max": 10],
        "booster": ["type": "categorical", "values": ["gbtree", "dart"]],
    ], path: "search_space")

    @Test func badSearchSpacesAreRefusedNamingTheField() {
        let cases: [(JSON, String)] = [
            ([:], "search_space"),
            (["lr": ["type": "double", "min": 1, "max": 1]], "search_space.lr.max"),
            (["lr": ["type": "double", "min": 0, "max": 1, "scale": "log"]], "search_space.lr.min"),
            (["n": ["type": "int", "min": 3]], "search_space.n"),
            (["c": ["type": "categorical", "values": []]], "search_space.c.values"),
            (["c": ["type": "ordinal"]], "search_space.c.type"),
            (["c": ["type": "int", "min": 1, "max": 2, "scale": "cubic"]], "search_space.c.scale"),
        ]
        for (json, field) in cases {
            #expect {
                try SearchSpace(json: json, path: "search_space")
            } throws: { error in
                (error as? ProvenanceError)?.details?["field"] == .string(field)
            }
        }
    }

    @Test func everyAlgorithmStaysInItsDomainAndRepeatsItselfForATrial() {
        for algorithm in [SweepAlgorithm.random(seed: 7), .tpe(seed: 7), .grid(pointsPerAxis: 3)] {
            let suggester = Suggester(space: Self.space, algorithm: algorithm, direction: .maximize)
            var history: [TrialObservation] = []
            for number in 0..<30 {
                guard let parameters = suggester.suggest(trial: number, history: history) else { break }
                #expect(parameters == suggester.suggest(trial: number, history: history), "trial \(number) of \(algorithm)")
                guard case .double(let lr)? = parameters["lr"], case .int(let depth)? = parameters["depth"] else {
                    Issue.record("\(parameters)")
                    return
                }
                #expect((0.0001...0.1).contains(lr) && (2...10).contains(depth), "\(parameters)")
                #expect(["gbtree", "dart"].contains(parameters["booster"]!))
                history.append(TrialObservation(parameters: parameters, value: -abs(lr - 0.01) - Double(depth) / 100))
            }
        }
    }

    @Test func aGridCoversEveryCombinationOnceThenEnds() {
        let grid = Suggester(space: Self.space, algorithm: .grid(pointsPerAxis: 3))
        var points: [[String: JSON]] = []
        while let point = grid.suggest(trial: points.count, history: []) { points.append(point) }
        #expect(points.count == 3 * 3 * 2)
        #expect(Set(points.map { JSONWriter.string(.object($0.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) })) }).count == 18)
    }

    @Test func tpeFindsABetterBraninPointThanRandomSearch() {
        let space = SearchSpace([(name: "x1", domain: .double(min: -5, max: 10, log: false)), (name: "x2", domain: .double(min: 0, max: 15, log: false))])
        func branin(_ p: [String: JSON]) -> Double {
            guard case .double(let x1)? = p["x1"], case .double(let x2)? = p["x2"] else { return .infinity }
            let b = 5.1 / (4 * Double.pi * Double.pi), c = 5 / Double.pi, t = 1 / (8 * Double.pi)
            let u = x2 - b * x1 * x1 + c * x1 - 6
            return u * u + 10 * (1 - t) * _cos(x1) + 10
        }
        func best(_ algorithm: SweepAlgorithm) -> Double {
            let suggester = Suggester(space: space, algorithm: algorithm)
            var history: [TrialObservation] = []
            for number in 0..<60 {
                let p = suggester.suggest(trial: number, history: history)!
                history.append(TrialObservation(parameters: p, value: branin(p)))
            }
            return history.compactMap(\.value).min()!
        }
        let tpe = (0..<5).map { best(.tpe(seed: UInt64($0))) }.sorted()[2]
        let random = (0..<5).map { best(.random(seed: UInt64($0))) }.sorted()[2]
        #expect(tpe < random, "TPE \(tpe), random \(random)")
        #expect(tpe < 1.0)
    }

    private func _cos(_ x: Double) -> Double {
        // Taylor-free cosine through the standard library's own (Foundation-free test target).
        var y = x.truncatingRemainder(dividingBy: 2 * .pi)
        if y > .pi { y -= 2 * .pi } else if y < -.pi { y += 2 * .pi }
        var term = 1.0, sum = 1.0
        for n in 1..<20 {
            term *= -y * y / Double((2 * n - 1) * (2 * n))
            sum += term
        }
        return sum
    }
}
