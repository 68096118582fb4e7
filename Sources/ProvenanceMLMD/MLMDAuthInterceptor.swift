import GRPCCore
import GRPCNIOTransportHTTP2
import ProvenanceCore
import ProvenanceStore

/// Checks every RPC against `AccessPolicy.mlmd` before it runs: the caller's credential (the `authorization`
/// metadata key, `Bearer prov_...`, or else the client certificate the TLS handshake verified) is authenticated and
/// its role checked in the RPC's namespace. Without a valid credential an RPC is refused with UNAUTHENTICATED; an
/// RPC missing from the table with PERMISSION_DENIED.
///
/// The namespace is the `x-provenance-namespace` metadata key; without it, the one namespace the credential holds
/// if it holds exactly one (MLMD's own clients cannot send metadata), else the server's default. The interceptor
/// writes the namespace it checked into the metadata, so the service reads the same one.
struct MLMDAuthInterceptor: ServerInterceptor {
    let authorizer: Authorizer
    let defaultNamespace: String

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        guard let access = AccessPolicy.mlmd[context.descriptor.method] else {
            throw RPCError(code: .permissionDenied, message: "\(context.descriptor.method) has no role in the access table")
        }
        var request = request
        do throws(ProvenanceError) {
            let subject = (context.transportSpecific as? HTTP2ServerTransport.Posix.Context)?.peerCertificate
                .map { String(describing: $0.subject) }
            let principal = try await authorizer.authenticate(
                authorization: request.metadata[stringValues: "authorization"].first(where: { _ in true }),
                certificateSubject: subject)
            let named = request.metadata[stringValues: MetadataStoreService.namespaceHeader].first { !$0.isEmpty }
            let namespace = named ?? principal.namespaces.names.flatMap { $0.count == 1 ? $0[0] : nil } ?? defaultNamespace
            try authorizer.authorize(principal, access, namespace: namespace)
            request.metadata.replaceOrAddString(namespace, forKey: MetadataStoreService.namespaceHeader)
        } catch {
            throw RPCError(error)
        }
        return try await next(request, context)
    }
}
