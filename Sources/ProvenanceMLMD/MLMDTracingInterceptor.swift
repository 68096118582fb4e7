import GRPCCore
import ProvenanceStore
import Tracing

/// Makes a server span for every MLMD RPC when traces are exported (`Traced.isEnabled`), named as OpenTelemetry's
/// RPC conventions name it (`ml_metadata.MetadataStoreService/PutExecution`), continuing the caller's trace when
/// its metadata carries a W3C `traceparent`. The store's spans made while the RPC runs are its children. It runs
/// outside the access interceptor, so refused RPCs are traced too; a status the server is to blame for
/// (unavailable, internal, ...) marks the span as an error, a client's mistake does not.
struct MLMDTracingInterceptor: ServerInterceptor {
    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        guard Traced.isEnabled else { return try await next(request, context) }
        var parent = InstrumentationContext.current ?? .topLevel
        InstrumentationSystem.instrument.extract(request.metadata, into: &parent, using: MetadataExtractor())
        let descriptor = context.descriptor
        let span = startSpan(descriptor.fullyQualifiedMethod, context: parent, ofKind: .server)
        defer { span.end() }
        span.updateAttributes { attributes in
            attributes["rpc.system"] = "grpc"
            attributes["rpc.service"] = descriptor.service.fullyQualifiedService
            attributes["rpc.method"] = descriptor.method
        }
        func finish(_ code: RPCError.Code?) {
            span.attributes["rpc.grpc.status_code"] = code?.rawValue ?? 0
            if let code, Self.isServerFault(code) { span.setStatus(SpanStatus(code: .error)) }
        }
        do {
            let response = try await InstrumentationContext.$current.withValue(span.context) {
                try await next(request, context)
            }
            switch response.accepted {
            case .success: finish(nil)
            case .failure(let error): finish(error.code)
            }
            return response
        } catch let error as RPCError {
            span.recordError(error)
            finish(error.code)
            throw error
        } catch {
            span.recordError(error)
            finish(.unknown)
            throw error
        }
    }

    static func isServerFault(_ code: RPCError.Code) -> Bool {
        [.unknown, .deadlineExceeded, .unimplemented, .internalError, .unavailable, .dataLoss].contains(code)
    }

    private struct MetadataExtractor: Extractor {
        func extract(key: String, from metadata: Metadata) -> String? {
            metadata[stringValues: key].first(where: { _ in true })
        }
    }
}
