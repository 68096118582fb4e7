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

    /// Runs one unary RPC: reads the namespace, calls `body`, and maps a domain error to its status.
    func handle<Input: Sendable, Output: Sendable>(
        _ request: ServerRequest<Input>,
        _ body: (Input, String) async throws(ProvenanceError) -> Output
    ) async throws -> ServerResponse<Output> {
        let namespace = request.metadata[stringValues: Self.namespaceHeader].first { !$0.isEmpty } ?? defaultNamespace
        do {
            // An unknown namespace is NOT_FOUND for every RPC, before any lookup could read it as a missing node.
            _ = try await store.namespaceID(namespace)
            return ServerResponse(message: try await body(request.message, namespace))
        } catch {
            throw RPCError(error)
        }
    }
}

extension RPCError {
    /// The status of a domain error; the message is the same one REST clients read.
    init(_ error: ProvenanceError) {
        let code: RPCError.Code =
            switch error.code {
            case .invalidArgument: .invalidArgument
            case .notFound: .notFound
            case .alreadyExists: .alreadyExists
            case .failedPrecondition: .failedPrecondition
            case .aborted: .aborted
            case .payloadTooLarge: .resourceExhausted
            case .unavailable: .unavailable
            case .internal: .internalError
            }
        self.init(code: code, message: error.message)
    }
}
