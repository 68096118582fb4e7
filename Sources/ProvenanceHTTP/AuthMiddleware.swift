import Hummingbird
import ProvenanceCore
import ProvenanceStore

/// Checks every routed request against `AccessPolicy.rest`: the caller's credential (`Authorization: Bearer`, or else a verified client certificate) is
/// authenticated, and its role checked in the namespace the path names, before any handler runs; the principal is
/// then in the context for handlers that narrow their answers to it. A route missing from the table is refused,
/// so a route added without a role is closed, never open. Requests that match no route go on to their 404.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let authorizer: Authorizer
    /// Whether `/metrics` answers without a credential (`--public-metrics`).
    let publicMetrics: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let route = context.endpointPath else { return try await next(request, context) }
        guard let access = AccessPolicy.rest(method: request.method.rawValue, path: route) else {
            throw ProvenanceError(.permissionDenied, "\(request.method) \(route) has no role in the access table")
        }
        switch access {
        case .open, .leaseHolder:
            return try await next(request, context)
        case .metrics where publicMetrics:
            return try await next(request, context)
        default:
            let principal = try await authorizer.authenticate(
                authorization: request.headers[.authorization], certificateSubject: context.certificateSubject)
            try authorizer.authorize(principal, access, namespace: context.parameters.get("namespace"))
            var context = context
            context.principal = principal
            context.facts.principal = principal.name
            return try await next(request, context)
        }
    }
}
