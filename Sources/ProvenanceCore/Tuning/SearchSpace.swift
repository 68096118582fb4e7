import Foundation

/// The values a sweep tries for each parameter: int and double ranges (linear or log scale) and categorical lists.
public struct SearchSpace: Sendable, Equatable {
    /// One parameter's domain.
    public enum Domain: Sendable, Equatable {
        case int(min: Int64, max: Int64, log: Bool)
        case double(min: Double, max: Double, log: Bool)
        case categorical([JSON])
    }

    /// The parameters, in name order (suggestions and the TPE's dimensions follow it).
    public let parameters: [(name: String, domain: Domain)]

    /// Creates a space; see `init(json:path:)` for the checks.
    public init(_ parameters: [(name: String, domain: Domain)]) {
        self.parameters = parameters.sorted { $0.name < $1.name }
    }

    public static func == (lhs: SearchSpace, rhs: SearchSpace) -> Bool {
        lhs.parameters.map(\.name) == rhs.parameters.map(\.name) && lhs.parameters.map(\.domain) == rhs.parameters.map(\.domain)
    }

    /// Reads `{"lr": {"type": "double", "min": 0.0001, "max": 0.1, "scale": "log"}, "depth": {"type": "int", "min": 2,
    /// "max": 10}, "booster": {"type": "categorical", "values": ["gbtree", "dart"]}}` at `path`, naming the bad field.
    public init(json: JSON, path: String) throws(ProvenanceError) {
        guard case .object(let members) = json, !members.isEmpty else {
            throw .invalid(path, "a search space needs at least one parameter, each with a type and its range or values")
        }
        var parameters: [(name: String, domain: Domain)] = []
        for member in members {
            let field = Validation.join(path, member.key)
            try PipelineNames.checkIdentifier(member.key, field: field)
            let reader = try JSONObjectReader(member.value, path: field)
            try reader.rejectUnknown(["type", "min", "max", "scale", "values"])
            let scale = try reader.string("scale") ?? "linear"
            guard scale == "linear" || scale == "log" else { throw .invalid(reader.field("scale"), "is linear or log, got '\(scale)'") }
            switch try reader.requiredString("type") {
            case "int":
                guard let low = try reader.int("min"), let high = try reader.int("max") else {
                    throw .invalid(field, "an int range needs min and max")
                }
                guard low < high else { throw .invalid(reader.field("max"), "must be more than min (\(low))") }
                if scale == "log", low < 1 { throw .invalid(reader.field("min"), "a log scale starts above 0") }
                parameters.append((member.key, .int(min: low, max: high, log: scale == "log")))
            case "double":
                guard let low = try reader.double("min"), let high = try reader.double("max"), low.isFinite, high.isFinite else {
                    throw .invalid(field, "a double range needs finite min and max")
                }
                guard low < high else { throw .invalid(reader.field("max"), "must be more than min (\(low))") }
                if scale == "log", low <= 0 { throw .invalid(reader.field("min"), "a log scale starts above 0") }
                parameters.append((member.key, .double(min: low, max: high, log: scale == "log")))
            case "categorical":
                guard let values = try reader.array("values"), !values.isEmpty else {
                    throw .invalid(reader.field("values"), "a categorical parameter needs at least one value")
                }
                for (index, value) in values.enumerated() { try PipelineNames.checkJSONText(value, field: "\(reader.field("values"))[\(index)]") }
                parameters.append((member.key, .categorical(values)))
            case let other:
                throw .invalid(reader.field("type"), "'\(other)' is not int, double or categorical")
            }
        }
        self.init(parameters)
    }

    /// The JSON form `init(json:path:)` reads.
    public var json: JSON {
        .object(parameters.map { parameter in
            let value: JSON = switch parameter.domain {
            case .int(let low, let high, let log):
                ["type": "int", "min": .int(low), "max": .int(high), "scale": .string(log ? "log" : "linear")]
            case .double(let low, let high, let log):
                ["type": "double", "min": .double(low), "max": .double(high), "scale": .string(log ? "log" : "linear")]
            case .categorical(let values):
                ["type": "categorical", "values": .array(values)]
            }
            return (key: parameter.name, value: value)
        })
    }
}

extension SearchSpace.Domain {
    /// A point of the unit interval as this domain's value (log scales map through log space; ints round).
    func value(at unit: Double) -> JSON {
        let u = Swift.min(Swift.max(unit, 0), 1)
        switch self {
        case .int(let low, let high, let log):
            let (a, b) = log ? (Foundation.log(Double(low) - 0.5 + 1e-9), Foundation.log(Double(high) + 0.5)) : (Double(low) - 0.5, Double(high) + 0.5)
            let x = a + u * (b - a)
            let raw = log ? Foundation.exp(x) : x
            return .int(Swift.min(Swift.max(Int64(raw.rounded()), low), high))
        case .double(let low, let high, let log):
            // Clamped: exp(log(x)) may land a rounding error outside the range.
            let raw = log ? Foundation.exp(Foundation.log(low) + u * (Foundation.log(high) - Foundation.log(low))) : low + u * (high - low)
            return .double(Swift.min(Swift.max(raw, low), high))
        case .categorical(let values):
            return values[Swift.min(Int(u * Double(values.count)), values.count - 1)]
        }
    }

    /// A value of this domain as a point of the unit interval (the inverse of `value(at:)`); nil when it does not
    /// belong (a value outside the range, a category not listed).
    func unit(of value: JSON) -> Double? {
        switch self {
        case .int(let low, let high, let log):
            guard case .int(let number) = value, (low...high).contains(number) else { return nil }
            let (a, b) = log ? (Foundation.log(Double(low) - 0.5 + 1e-9), Foundation.log(Double(high) + 0.5)) : (Double(low) - 0.5, Double(high) + 0.5)
            return ((log ? Foundation.log(Double(number)) : Double(number)) - a) / (b - a)
        case .double(let low, let high, let log):
            let number: Double
            switch value {
            case .double(let x): number = x
            case .int(let x): number = Double(x)
            default: return nil
            }
            guard number >= low, number <= high else { return nil }
            if log { return (Foundation.log(number) - Foundation.log(low)) / (Foundation.log(high) - Foundation.log(low)) }
            return (number - low) / (high - low)
        case .categorical(let values):
            guard let index = values.firstIndex(of: value) else { return nil }
            return (Double(index) + 0.5) / Double(values.count)
        }
    }

    /// How many categories, for a categorical domain.
    var categoryCount: Int? {
        if case .categorical(let values) = self { return values.count }
        return nil
    }
}
