import GRPCCore
import ProvenanceCore
import ProvenanceStore

/// `ml_metadata.MetadataStoreService` over the store. Every RPC only translates: the request message to a store
/// operation, its result back to the response message, and `ProvenanceError` to MLMD's status codes. The
/// namespace comes from the `x-provenance-namespace` request header, else the server's default.
struct MetadataStoreService: MlMetadata_MetadataStoreService.ServiceProtocol {
    /// The request header that chooses the namespace.
    static let namespaceHeader = "x-provenance-namespace"

    let store: PostgresStore
    let defaultNamespace: String
    /// The largest request message read; larger ones get RESOURCE_EXHAUSTED (see the generated registration).
    let maximumMessageBytes: Int
    /// Set while the server shuts down (see `DrainingFlag`).
    let draining: DrainingFlag

    /// Runs one unary RPC: reads the namespace, calls `body`, and maps a domain error to its status. When gRPC
    /// cancels the RPC (its deadline passed, the client reset it or went away), the statements running for it are
    /// cancelled too: grpc-swift reports that, but does not cancel the handler's task. (While the server shuts
    /// down, it reports every RPC as cancelled; those run on within the grace period.)
    func handle<Input: Sendable, Output: Sendable>(
        _ request: ServerRequest<Input>,
        _ body: (Input, String) async throws(ProvenanceError) -> Output
    ) async throws -> ServerResponse<Output> {
        let namespace = request.metadata[stringValues: Self.namespaceHeader].first { !$0.isEmpty } ?? defaultNamespace
        let cancellation = RequestCancellation()
        let outcome: Result<Output, ProvenanceError> = await withRPCCancellationHandler {
            await RequestCancellation.$current.withValue(cancellation) {
                do throws(ProvenanceError) {
                    // An unknown namespace is NOT_FOUND for every RPC, before any lookup could read it as a missing
                    // node.
                    _ = try await store.namespaceID(namespace)
                    return .success(try await body(request.message, namespace))
                } catch {
                    return .failure(error)
                }
            }
        } onCancelRPC: { [draining] in
            if !draining.isSet { cancellation.cancel() }
        }
        switch outcome {
        case .success(let message): return ServerResponse(message: message)
        case .failure(let error): throw RPCError(error)
        }
    }
}

extension RPCError {
    /// The status of a domain error; the message is the same one REST clients read.
    init(_ error: ProvenanceError) {
        let code: RPCError.Code =
            switch error.code {
            case .invalidArgument: .invalidArgument
            case .unauthenticated: .unauthenticated
            case .permissionDenied: .permissionDenied
            case .notFound: .notFound
            case .alreadyExists: .alreadyExists
            case .failedPrecondition: .failedPrecondition
            case .aborted: .aborted
            case .leaseLost: .failedPrecondition
            case .payloadTooLarge: .resourceExhausted
            case .unavailable: .unavailable
            case .deadlineExceeded: .deadlineExceeded
            case .cancelled: .cancelled
            case .internal: .internalError
            }
        self.init(code: code, message: error.message)
    }
}
