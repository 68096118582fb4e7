import Synchronization

/// Tells the work done for a request that its client has gone (an HTTP client disconnected, a gRPC deadline
/// passed), so the database statements running for it are cancelled instead of running on for nobody.
///
/// Neither Hummingbird nor grpc-swift cancels a handler's task when its client goes away; they only report it. The
/// adapter makes one of these per request, binds it to `current` around the handler, and fires it on that report;
/// the store registers each statement it runs with the request's `current`.
public final class RequestCancellation: Sendable {
    /// The request the current task works for, if an adapter bound one.
    @TaskLocal public static var current: RequestCancellation?

    private struct State {
        var fired = false
        var handlers: [UInt64: @Sendable () -> Void] = [:]
        var nextToken: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Creates a signal that has not fired.
    public init() {}

    /// Whether the client has gone.
    public var isCancelled: Bool { state.withLock { $0.fired } }

    /// Reports that the client has gone: runs every registered handler once, and any registered later at once.
    public func cancel() {
        let handlers = state.withLock { state in
            guard !state.fired else { return [@Sendable () -> Void]() }
            state.fired = true
            defer { state.handlers = [:] }
            return Array(state.handlers.values)
        }
        for handler in handlers { handler() }
    }

    /// Runs `handler` when the signal fires (at once if it has); returns a token for `remove`, or nil if it ran.
    public func onCancel(_ handler: @escaping @Sendable () -> Void) -> UInt64? {
        let token: UInt64? = state.withLock { state in
            guard !state.fired else { return nil }
            state.nextToken += 1
            state.handlers[state.nextToken] = handler
            return state.nextToken
        }
        if token == nil { handler() }
        return token
    }

    /// Stops `onCancel`'s handler of `token` from running.
    public func remove(_ token: UInt64?) {
        guard let token else { return }
        _ = state.withLock { $0.handlers.removeValue(forKey: token) }
    }
}
