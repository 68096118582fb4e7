import ProvenanceCore
import Synchronization
import Tracing

/// Spans around the server's work (requests, RPCs, engine steps, database operations) through
/// swift-distributed-tracing; the server exports them with swift-otel when `--otel-endpoint` is set.
///
/// Off (the default), `Traced.span` runs its body and nothing else: no span, no task-local, no attribute is
/// built. Errors are recorded on the span; its status is an error only for the server's own failures
/// (unavailable, deadline exceeded, aborted, internal), not for a client's mistake.
public enum Traced {
    private static let enabled = Atomic<Bool>(false)

    /// Whether spans are made: set once the process's tracer is bootstrapped.
    public static var isEnabled: Bool { enabled.load(ordering: .relaxed) }

    /// Makes spans from now on (the server calls it after bootstrapping the tracer).
    public static func enable() { enabled.store(true, ordering: .relaxed) }

    /// Runs `body` in a span named `name`, a child of the task's current span (or the root of a new trace).
    public static func span<Result>(
        _ name: String, kind: SpanKind = .internal, _ body: (SpanHandle) async throws(ProvenanceError) -> Result
    ) async throws(ProvenanceError) -> Result {
        guard isEnabled else { return try await body(SpanHandle(span: nil)) }
        let span = startSpan(name, ofKind: kind)
        defer { span.end() }
        let outcome: Swift.Result<Result, ProvenanceError> = await InstrumentationContext.$current.withValue(span.context) {
            do throws(ProvenanceError) { return .success(try await body(SpanHandle(span: span))) }
            catch { return .failure(error) }
        }
        if case .failure(let error) = outcome { SpanHandle(span: span).record(error) }
        return try outcome.get()
    }
}

/// The span a `Traced.span` body runs in (nothing when tracing is off), to add what is learnt along the way.
public struct SpanHandle: Sendable {
    let span: (any Span)?

    /// Whether attributes set here go anywhere (build costly values only then).
    public var isRecording: Bool { span?.isRecording ?? false }

    /// Sets attribute `key`.
    public func set(_ key: String, _ value: some SpanAttributeConvertible) {
        span?.attributes[key] = value.toSpanAttribute()
    }

    /// Adds an event (a moment within the span) named `name`.
    public func event(_ name: String) {
        span?.addEvent(SpanEvent(name: name))
    }

    /// Records `error`: an event carrying its code and message, and an error status when the server failed.
    public func record(_ error: ProvenanceError) {
        guard let span else { return }
        span.recordError(error, attributes: ["provenance.error.code": .string(error.code.rawValue)])
        switch error.code {
        case .unavailable, .deadlineExceeded, .aborted, .internal:
            span.setStatus(SpanStatus(code: .error, message: error.message))
        default:
            break
        }
    }
}
