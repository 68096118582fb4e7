import Hummingbird
import Logging
import NIOHTTP1
import ProvenanceCore

/// Turns every failure into the API's JSON error body with the right status: domain errors by their code,
/// Hummingbird's own (unknown route, body too large) by their status, and anything else as a generic 500 whose
/// cause is logged, never shown.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as ProvenanceError {
            if error.code == .internal {
                context.logger.error("internal error", metadata: ["error": "\(error.message)"])
            }
            return Self.response(error)
        } catch let error as HTTPParserError {
            // The body broke off (the client hung up, or was cut off by the body timeout): nothing to report.
            return Self.response(.invalid("request", "the request is not valid HTTP/1.1 (\(error.debugDescription))"))
        } catch let error as any HTTPResponseError {
            // Hummingbird's and NIO's own errors (unknown route, body over the limit) carry their status.
            return Self.response(Self.translate(error, request: request))
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return Self.response(ProvenanceError(.internal, "internal error"))
        }
    }

    static func translate(_ error: any HTTPResponseError, request: Request) -> ProvenanceError {
        let body = (error as? HTTPError)?.body
        switch error.status {
        case .notFound:
            return ProvenanceError(.notFound, "no route for \(request.method) \(request.uri.path)")
        case .contentTooLarge:
            return ProvenanceError(.payloadTooLarge, "the request body is larger than the server's limit")
        case .badRequest:
            return ProvenanceError(.invalidArgument, body ?? "bad request")
        default:
            return ProvenanceError(.internal, body ?? "request failed")
        }
    }

    /// The body of a domain error: `{"error": {"code", "message", "details"?}}`.
    static func json(_ error: ProvenanceError) -> JSON {
        var body: [(key: String, value: JSON)] = [
            (key: "code", value: .string(error.code.rawValue)), (key: "message", value: .string(error.message)),
        ]
        if let details = error.details { body.append((key: "details", value: details)) }
        return ["error": .object(body)]
    }

    /// The response for a domain error.
    static func response(_ error: ProvenanceError) -> Response {
        var headers = HTTPFields()
        if error.code == .unavailable || error.code == .deadlineExceeded { headers[.retryAfter] = "1" }
        if error.code == .unauthenticated { headers[.wwwAuthenticate] = "Bearer realm=\"provenance\"" }
        return JSONResponse.make(json(error), status: status(for: error.code), headers: headers)
    }

    /// The one place domain error codes become HTTP statuses.
    static func status(for code: ProvenanceError.Code) -> HTTPResponse.Status {
        switch code {
        case .invalidArgument: .badRequest
        case .unauthenticated: .unauthorized
        case .permissionDenied: .forbidden
        case .notFound: .notFound
        case .alreadyExists: .conflict
        case .failedPrecondition: .preconditionFailed
        case .aborted: .conflict
        case .leaseLost: .conflict
        case .payloadTooLarge: .contentTooLarge
        case .unavailable: .serviceUnavailable
        // The server cannot tell a query that is too expensive from one that met a busy database; 503 with
        // Retry-After says "not now", and the code and message tell it from an outage and suggest narrowing it.
        case .deadlineExceeded: .serviceUnavailable
        // nginx's "client closed request": nobody reads it, but logs and metrics can tell it from a failure.
        case .cancelled: HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request")
        case .internal: .internalServerError
        }
    }
}
