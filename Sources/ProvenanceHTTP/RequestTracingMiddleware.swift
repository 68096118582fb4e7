import HTTPTypes
import Hummingbird
import ProvenanceStore
import Tracing

/// Makes a server span for every request when traces are exported (`Traced.isEnabled`), continuing the caller's
/// trace when it sends a W3C `traceparent` header. The engine's and the database's spans made while the request
/// runs are its children.
///
/// The span is named after the route's pattern (`GET /api/v1/namespaces/{namespace}/runs/{id}`), never the raw
/// path, and carries OpenTelemetry's HTTP attributes plus the namespace, the caller's name (never a credential)
/// and the request id. Unlike Hummingbird's `TracingMiddleware`, it sees the status the error middleware
/// answered with, so a 5xx marks the span as an error and a client's 4xx does not; and it records no query string
/// and no header.
struct RequestTracingMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard Traced.isEnabled else { return try await next(request, context) }
        var parent = InstrumentationContext.current ?? .topLevel
        InstrumentationSystem.instrument.extract(request.headers, into: &parent, using: HeaderExtractor())
        let method = request.method.rawValue
        let span = startSpan(method, context: parent, ofKind: .server)
        defer { span.end() }
        span.updateAttributes { attributes in
            attributes["http.request.method"] = method
            attributes["url.path"] = request.uri.path
            attributes["user_agent.original"] = request.headers[.userAgent]
        }
        let response: Response
        do {
            response = try await InstrumentationContext.$current.withValue(span.context) { try await next(request, context) }
        } catch {
            span.operationName = "\(method) \(context.endpointPath ?? "unmatched")"
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
        span.operationName = "\(method) \(context.endpointPath ?? "unmatched")"
        span.updateAttributes { attributes in
            attributes["http.route"] = context.endpointPath
            attributes["http.response.status_code"] = Int(response.status.code)
            attributes["provenance.namespace"] = context.parameters.get("namespace")
            attributes["provenance.principal"] = context.facts.principal
            attributes["provenance.request_id"] = response.headers[RequestLogMiddleware.header]
        }
        if response.status.code >= 500 { span.setStatus(SpanStatus(code: .error)) }
        return response
    }

    private struct HeaderExtractor: Extractor {
        func extract(key: String, from headers: HTTPFields) -> String? {
            HTTPField.Name(key).flatMap { headers[$0] }
        }
    }
}
