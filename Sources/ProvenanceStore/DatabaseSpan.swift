/// How a database operation's span is named and described (OpenTelemetry's database conventions): the span is
/// `db <operation>`, where the operation is the store method that ran it (`db lease`, `db write`), one span per
/// pooled connection's use, however many statements it ran.
enum DatabaseSpan {
    /// `db artifacts` for the store method `artifacts(in:filter:page:)`.
    static func name(of function: String) -> String {
        "db " + operation(function)
    }

    /// The method's name without its argument labels.
    static func operation(_ function: String) -> String {
        String(function.prefix { $0 != "(" })
    }

    static func describe(_ span: SpanHandle, operation function: String, endpoint: DatabaseEndpoint) {
        guard span.isRecording else { return }
        span.set("db.system.name", "postgresql")
        span.set("db.namespace", endpoint.database)
        span.set("db.operation.name", operation(function))
        switch endpoint.location {
        case .tcp(let host, let port):
            span.set("server.address", host)
            span.set("server.port", port)
        case .unixSocket(let path):
            span.set("server.address", path)
        }
    }

    /// Marks the moment the operation got its pooled connection, and how long it waited for it.
    static func connectionAcquired(_ span: SpanHandle, after wait: Duration) {
        span.set("provenance.db.connection_wait_us", wait.components.seconds * 1_000_000 + wait.components.attoseconds / 1_000_000_000_000)
        span.event("connection acquired")
    }
}
