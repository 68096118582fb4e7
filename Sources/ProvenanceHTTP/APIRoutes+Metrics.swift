import Hummingbird
import NIOCore

/// What `/metrics` answers: Prometheus' text exposition, made by the server's composition (which owns the
/// registry the recorded metrics go to).
public typealias MetricsExposition = @Sendable () async -> String

extension APIRoutes {
    /// `GET /metrics` in Prometheus' text format.
    func registerMetrics(_ router: Router<APIRequestContext>) {
        router.get("metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: await metrics())))
        }
    }
}
