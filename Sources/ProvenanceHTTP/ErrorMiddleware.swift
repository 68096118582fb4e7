import Hummingbird
import Logging
import ProvenanceCore

/// Turns every failure into the API's JSON error body with the right status: domain errors by their code,
/// Hummingbird's own (unknown route, body too large) by their status, and anything else as a generic 500 whose
/// cause is logged, never shown.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
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

    /// The response for a domain error.
    static func response(_ error: ProvenanceError) -> Response {
        var body: [(key: String, value: JSON)] = [
            (key: "code", value: .string(error.code.rawValue)), (key: "message", value: .string(error.message)),
        ]
        if let details = error.details { body.append((key: "details", value: details)) }
        return JSONResponse.make(["error": .object(body)], status: status(for: error.code))
    }

    /// The one place domain error codes become HTTP statuses.
    static func status(for code: ProvenanceError.Code) -> HTTPResponse.Status {
        switch code {
        case .invalidArgument: .badRequest
        case .notFound: .notFound
        case .alreadyExists: .conflict
        case .failedPrecondition: .preconditionFailed
        case .aborted: .conflict
        case .payloadTooLarge: .contentTooLarge
        case .unavailable: .serviceUnavailable
        case .internal: .internalServerError
        }
    }
}
