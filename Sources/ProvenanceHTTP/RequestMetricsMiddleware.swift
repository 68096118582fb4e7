import Hummingbird
import Metrics
import ProvenanceStore

/// Counts and times every REST request by route (the router's path pattern, never the raw path, so ids do not
/// make a series each), method and status class, into `MetricName.httpRequests` and `MetricName.httpDuration`.
/// It wraps the error middleware, so a request that failed is counted with the status it was answered with.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        Counter(
            label: MetricName.httpRequests,
            dimensions: [("route", route), ("method", method), ("status", "\(response.status.code / 100)xx")]
        ).increment()
        Metrics.Timer(label: MetricName.httpDuration, dimensions: [("route", route), ("method", method)])
            .recordInterval(since: start)
        return response
    }
}

extension Metrics.Timer {
    /// Records the time from `start` to now.
    func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = start.duration(to: .now)
        recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
