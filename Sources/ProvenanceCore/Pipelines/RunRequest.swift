/// What a client asks a run to be.
public struct RunRequest: Sendable, Equatable {
    /// The pipeline's name.
    public var pipeline: String
    /// The version's digest; nil runs the newest version.
    public var version: String?
    /// Parameter values (the rest take their defaults).
    public var parameters: [String: JSON]
    /// Labels to find the run by.
    public var labels: [String: String]
    /// Whether tasks may reuse cached outputs (per component too).
    public var cache: Bool

    /// Creates a request.
    public init(
        pipeline: String, version: String? = nil, parameters: [String: JSON] = [:], labels: [String: String] = [:],
        cache: Bool = true
    ) {
        self.pipeline = pipeline
        self.version = version
        self.parameters = parameters
        self.labels = labels
        self.cache = cache
    }
}

extension RunRequest {
    /// The longest a label key or value may be, in bytes.
    public static let maximumLabelLength = 256
    /// The most a run's parameters may weigh, as JSON: each task carries the values its step uses, so a run of
    /// many steps multiplies them.
    public static let maximumParameterBytes = 64 * 1024

    /// Checks what the server cannot take as given: labels (`key=value` text a filter can find again: no `,` or
    /// `=`, no NUL, at most `maximumLabelLength` bytes) and parameters (storable text, at most
    /// `maximumParameterBytes` in all).
    public func validate() throws(ProvenanceError) {
        for (key, value) in labels {
            try Self.checkLabel(key: key, value: value)
        }
        for (key, value) in parameters { try PipelineNames.checkJSONText(value, field: "parameters.\(key)") }
        let size = JSONWriter.bytes(.object(parameters.map { (key: $0.key, value: $0.value) })).count
        guard size <= Self.maximumParameterBytes else {
            throw .invalid(
                "parameters", "the parameters take \(size) bytes as JSON; a run's parameters may take at most \(Self.maximumParameterBytes) (pass large values as artifacts)")
        }
    }

    /// Checks one label.
    public static func checkLabel(key: String, value: String) throws(ProvenanceError) {
        let field = "labels.\(key)"
        try Validation.requireName(key, field: "labels")
        try Validation.checkText(value, field: field)
        guard key.utf8.count <= maximumLabelLength, value.utf8.count <= maximumLabelLength else {
            throw .invalid(field, "label keys and values are at most \(maximumLabelLength) bytes")
        }
        guard !key.contains(","), !key.contains("="), !value.contains(","), !value.contains("=") else {
            throw .invalid(field, "label keys and values may not contain ',' or '=' (the labels filter could never find them)")
        }
    }

    /// Reads the `labels` filter of a run list: `key=value` pairs separated by commas, each with a key.
    public static func labelFilter(_ text: String, field: String = "labels") throws(ProvenanceError) -> [String: String] {
        var labels: [String: String] = [:]
        for pair in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw .invalid(field, "expected key=value pairs separated by commas, got '\(pair)'")
            }
            guard labels.updateValue(String(parts[1]), forKey: String(parts[0])) == nil else {
                throw .invalid(field, "the label '\(parts[0])' is given twice")
            }
        }
        return labels
    }
}
