import Logging

/// The server's log handler: `StreamLogHandler`'s output on standard error, with metadata kept as it is set and
/// formatted only when a message is actually logged.
///
/// `StreamLogHandler` formats its whole metadata every time an entry is set. Hummingbird and postgres-nio set
/// entries on every request and every query, whether or not anything is logged, which made logging setup one of
/// the larger costs of a small request.
public struct ServerLogHandler: LogHandler {
    private var output: StreamLogHandler
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    /// A handler for the logger `label`.
    public init(label: String) {
        output = StreamLogHandler.standardError(label: label, metadataProvider: nil)
        metadataProvider = LoggingSystem.metadataProvider
    }

    public var logLevel: Logger.Level {
        get { output.logLevel }
        set { output.logLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var event = event
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        event.metadata = merged.isEmpty ? nil : merged
        output.log(event: event)
    }
}
