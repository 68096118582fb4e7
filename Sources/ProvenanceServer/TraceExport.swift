import Foundation
import Logging
import OTel
import ProvenanceCore
import ProvenanceStore
import ServiceLifecycle
import Synchronization
import Tracing

/// Exports the server's spans with swift-otel to an OpenTelemetry collector over OTLP/HTTP, when `--otel-endpoint`
/// is set (off by default: no span is made then).
///
/// What is traced: every REST request (a server span named `GET /api/v1/namespaces/{namespace}/artifacts`) and
/// every MLMD RPC (`ml_metadata.MetadataStoreService/PutExecution`), each continuing the caller's trace when it
/// sends a W3C `traceparent`; the engine's steps inside them (`engine lease`, `engine complete`, `engine fail`,
/// `engine submit`); and each database operation (`db <store method>`, with its wait for a pooled connection).
/// Log lines written inside a span carry its `trace_id` and `span_id`.
///
/// swift-otel applies the standard `OTEL_*` variables over these settings (`OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`,
/// `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_SCHEDULE_DELAY`, ...). The tracer is
/// process-global, so one server per process may export.
struct TraceExport {
    /// The exporter's background work (batching, sending; it sends what is left at shutdown).
    let service: any Service
    /// The log metadata linking a line to the span it was written in.
    let logMetadata: Logger.MetadataProvider

    private static let bootstrapped = Mutex(false)

    /// Bootstraps the process's tracer for `config`, or returns nil when it names no collector.
    static func start(_ config: ServerConfiguration) throws(ProvenanceError) -> TraceExport? {
        guard let endpoint = config.otelEndpoint else { return nil }
        guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme ?? ""), url.host != nil,
            url.query == nil
        else {
            throw .invalid("--otel-endpoint", "expected the collector's http:// or https:// URL (as http://127.0.0.1:4318), got '\(endpoint)'")
        }
        var configuration = OTel.Configuration.default
        configuration.serviceName = config.otelServiceName
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.otlpExporter.endpoint = tracesURL(endpoint)
        configuration.diagnosticLogger = .custom(diagnosticLogger(config))
        configuration.diagnosticLogLevel = .warning
        let backend: (tracer: any Tracer, service: any Service)
        do {
            let made = try OTel.makeTracingBackend(configuration: configuration)
            backend = (made.factory, made.service)
        } catch {
            throw .invalid("--otel-endpoint", "the trace exporter could not be made: \(error)")
        }
        try bootstrapOnce(backend.tracer)
        Traced.enable()
        return TraceExport(service: backend.service, logMetadata: OTel.makeLoggingMetadataProvider())
    }

    /// The collector's traces endpoint: `endpoint/v1/traces`, as OTLP/HTTP names it.
    static func tracesURL(_ endpoint: String) -> String {
        (endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint) + "/v1/traces"
    }

    private static func bootstrapOnce(_ tracer: any Tracer) throws(ProvenanceError) {
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else {
            throw ProvenanceError(.failedPrecondition, "--otel-endpoint: another server in this process already exports traces")
        }
        InstrumentationSystem.bootstrap(tracer)
    }

    /// Where the exporter reports its own trouble (a collector that cannot be reached): the server's log.
    private static func diagnosticLogger(_ config: ServerConfiguration) -> Logger {
        var logger = Logger(label: "provenance.otel") { label in ServerLogHandler(label: label, format: config.logFormat) }
        logger.logLevel = config.logLevel
        return logger
    }
}
