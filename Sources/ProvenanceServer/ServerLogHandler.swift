import Logging

/// The server's log handler: `StreamLogHandler`'s output on standard error, with metadata kept as it is set and
/// formatted only when a message is actually logged.
///
/// `StreamLogHandler` formats its whole metadata every time an entry is set. Hummingbird and postgres-nio set
/// entries on every request and every query, whether or not anything is logged, which made logging setup one of
/// the larger costs of a small request.
struct ServerLogHandler: LogHandler {
    private var output: StreamLogHandler
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String) {
        output = StreamLogHandler.standardError(label: label, metadataProvider: nil)
        metadataProvider = LoggingSystem.metadataProvider
    }

    var logLevel: Logger.Level {
        get { output.logLevel }
        set { output.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        event.metadata = merged.isEmpty ? nil : merged
        output.log(event: event)
    }
}
