import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Gives every request an id and writes one log line for it when it is answered.
///
/// The id is the client's `X-Request-ID` when it sends a usable one (up to 128 letters, digits, `-`, `_`, `.`),
/// else a new random one; it is returned in the `X-Request-ID` response header, set on the request's logger (so
/// every line logged for it carries `request_id`), and given with each lease so the executor can hand it to the
/// step. The line names the route, method, status, duration, namespace and caller (a token's name, never the
/// token), at `level`: `info` with `--log-format json`, where it is the access log, else `debug`.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let level: Logger.Level

    /// The response header (and request header) carrying the id.
    static let header = HTTPField.Name("X-Request-ID")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        var context = context
        let id = request.headers[Self.header].flatMap(Self.usable) ?? Self.newID()
        context.requestID = id
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await next(request, context)
        response.headers[Self.header] = id
        let elapsed = start.duration(to: .now)
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        var metadata: Logger.Metadata = [
            "route": .string(context.endpointPath ?? "unmatched"), "method": .string(request.method.rawValue),
            "path": .string(request.uri.path), "status": .stringConvertible(response.status.code),
            "duration_ms": .string(String(format: "%.3f", milliseconds)),
        ]
        if let namespace = context.parameters.get("namespace") { metadata["namespace"] = .string(namespace) }
        if let principal = context.facts.principal { metadata["principal"] = .string(principal) }
        context.logger.log(level: level, "request", metadata: metadata)
        return response
    }

    static func usable(_ id: String) -> String? {
        guard !id.isEmpty, id.utf8.count <= 128,
            id.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) })
        else { return nil }
        return id
    }

    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
