import Foundation
import Hummingbird
import Logging
import ProvenanceTestSupport
import Synchronization

/// A stand-in OpenTelemetry collector: it takes OTLP/HTTP exports in JSON at `POST /v1/traces` (as swift-otel sends
/// them with `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json`) and keeps every span it was sent.
final class OTLPReceiver: Sendable {
    /// One exported span, as the test reads it.
    struct Span: CustomStringConvertible {
        var traceID: String
        var spanID: String
        var parentSpanID: String
        var name: String
        var kind: String
        var attributes: [String: String]
        var isError: Bool

        var description: String { "\(name) [\(kind)] \(attributes)" }
    }

    private let received = Mutex<(spans: [Span], bodies: [String])>(([], []))
    let port: Int

    private init(port: Int) { self.port = port }

    /// Every span received so far.
    var spans: [Span] { received.withLock { $0.spans } }
    /// Every export body received so far, as sent.
    var bodies: [String] { received.withLock { $0.bodies } }

    /// The collector's base URL (what `--otel-endpoint` takes).
    var endpoint: String { "http://127.0.0.1:\(port)" }

    fileprivate func take(_ body: String) throws {
        let spans = try Self.spans(in: body)
        received.withLock { state in
            state.bodies.append(body)
            state.spans += spans
        }
    }

    /// The spans of an `ExportTraceServiceRequest` in OTLP's JSON encoding.
    static func spans(in body: String) throws -> [Span] {
        guard let request = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
            throw TestFailure("an export that is not a JSON object: \(body.prefix(200))")
        }
        var spans: [Span] = []
        for resource in request["resourceSpans"] as? [[String: Any]] ?? [] {
            for scope in resource["scopeSpans"] as? [[String: Any]] ?? [] {
                for span in scope["spans"] as? [[String: Any]] ?? [] {
                    var attributes: [String: String] = [:]
                    for attribute in span["attributes"] as? [[String: Any]] ?? [] {
                        guard let key = attribute["key"] as? String, let value = attribute["value"] as? [String: Any],
                            let first = value.values.first
                        else { continue }
                        attributes[key] = "\(first)"
                    }
                    // OTLP/JSON writes enums as their numbers.
                    let status = (span["status"] as? [String: Any])?["code"] as? Int
                    let kind = (span["kind"] as? Int).flatMap { kinds.indices.contains($0) ? kinds[$0] : nil } ?? "unknown"
                    spans.append(Span(
                        traceID: hex(span["traceId"]), spanID: hex(span["spanId"]), parentSpanID: hex(span["parentSpanId"]),
                        name: span["name"] as? String ?? "", kind: kind, attributes: attributes, isError: status == 2))
                }
            }
        }
        return spans
    }

    /// OTLP's span kinds by number.
    static let kinds = ["unspecified", "internal", "server", "client", "producer", "consumer"]

    /// An id as lowercase hex, whether it came as OTLP/JSON's hex or protobuf JSON's base64.
    static func hex(_ value: Any?) -> String {
        guard let text = value as? String, !text.isEmpty else { return "" }
        if text.count % 2 == 0, text.allSatisfy(\.isHexDigit) { return text.lowercased() }
        guard let bytes = Data(base64Encoded: text) else { return text }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Runs `body` with a receiver listening on a free port of 127.0.0.1.
    static func serving(_ body: (OTLPReceiver) async throws -> Void) async throws {
        let bound = Mutex<Int?>(nil)
        let receiver = Mutex<OTLPReceiver?>(nil)
        let router = Router()
        router.post("/v1/traces") { request, _ in
            let buffer = try await request.body.collect(upTo: 64 << 20)
            guard let target = receiver.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
            try target.take(String(buffer: buffer))
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: "{}")))
        }
        var quiet = Logger(label: "otlp-receiver")
        quiet.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in bound.withLock { $0 = channel.localAddress?.port } }, logger: quiet)
        try await withGracefulService(app, logger: quiet) {
            var port: Int?
            try await eventually("the receiver to listen") {
                port = bound.withLock { $0 }
                return port != nil
            }
            let ready = OTLPReceiver(port: port!)
            receiver.withLock { $0 = ready }
            try await body(ready)
        }
    }
}
