import Foundation
import Logging
import ProvenanceCore

/// How the server writes its log.
public enum LogFormat: String, Sendable, CaseIterable {
    /// `StreamLogHandler`'s lines, for people.
    case text
    /// One JSON object a line (`time`, `level`, `label`, `source`, `message` and the metadata), for log pipelines.
    case json
}

/// The server's log handler, on standard error: `StreamLogHandler`'s output, or one JSON object a line, with
/// metadata kept as it is set and formatted only when a message is actually logged.
///
/// `StreamLogHandler` formats its whole metadata every time an entry is set. Hummingbird and postgres-nio set
/// entries on every request and every query, whether or not anything is logged, which made logging setup one of
/// the larger costs of a small request.
public struct ServerLogHandler: LogHandler {
    private var output: StreamLogHandler
    private let label: String
    private let format: LogFormat
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    /// A handler for the logger `label`, writing `format`, with the metadata of `metadataProvider` (the trace and
    /// span a line was written in, when traces are exported) on every line.
    public init(
        label: String, format: LogFormat = .text, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider
    ) {
        output = StreamLogHandler.standardError(label: label, metadataProvider: nil)
        self.metadataProvider = metadataProvider
        self.label = label
        self.format = format
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
        switch format {
        case .text:
            event.metadata = merged.isEmpty ? nil : merged
            output.log(event: event)
        case .json:
            var members: [(key: String, value: JSON)] = [
                (key: "time", value: .string(Self.timestamp())), (key: "level", value: .string(event.level.rawValue)),
                (key: "label", value: .string(label)), (key: "source", value: .string(event.source)),
                (key: "message", value: .string(event.message.description)),
            ]
            for key in merged.keys.sorted() { members.append((key: key, value: Self.json(merged[key]!))) }
            FileHandle.standardError.write(Data((JSONWriter.string(.object(members)) + "\n").utf8))
        }
    }

    private static func json(_ value: Logger.Metadata.Value) -> JSON {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let value): .string(value.description)
        case .array(let values): .array(values.map(json))
        case .dictionary(let members): .object(members.keys.sorted().map { (key: $0, value: json(members[$0]!)) })
        }
    }

    private static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
