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
