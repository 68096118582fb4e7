import GRPCCore
import Metrics
import ProvenanceStore

/// Counts and times every MLMD RPC by method and status code, into `MetricName.grpcRequests` and
/// `MetricName.grpcDuration`. It runs outside the access interceptor, so refused RPCs are counted too.
struct MLMDMetricsInterceptor: ServerInterceptor {
    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let start = ContinuousClock.now
        let method = context.descriptor.method
        func record(_ code: String) {
            Counter(label: MetricName.grpcRequests, dimensions: [("method", method), ("code", code)]).increment()
            let elapsed = start.duration(to: .now)
            Metrics.Timer(label: MetricName.grpcDuration, dimensions: [("method", method)]).recordNanoseconds(
                elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        }
        do {
            let response = try await next(request, context)
            switch response.accepted {
            case .success: record("ok")
            case .failure(let error): record("\(error.code)")
            }
            return response
        } catch let error as RPCError {
            record("\(error.code)")
            throw error
        } catch {
            record("unknown")
            throw error
        }
    }
}
