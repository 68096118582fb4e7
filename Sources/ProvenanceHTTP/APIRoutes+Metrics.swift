import Hummingbird
import NIOCore

extension APIRoutes {
    /// `GET /metrics` in Prometheus' text format: process CPU time and memory, whether the database is
    /// reachable, its connection pool, and the executors waiting for tasks.
    func registerMetrics(_ router: Router<APIRequestContext>) {
        router.get("metrics") { _, _ in
            var lines: [String] = []
            func metric(_ name: String, _ kind: String, _ help: String, _ value: String) {
                lines += ["# HELP \(name) \(help)", "# TYPE \(name) \(kind)", "\(name) \(value)"]
            }
            func gauge(_ name: String, _ help: String, _ value: Int) { metric(name, "gauge", help, "\(value)") }
            metric(
                "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.",
                "\(ProcessMetrics.cpuSeconds())")
            if let memory = ProcessMetrics.memory() {
                gauge("process_resident_memory_bytes", "Resident memory size in bytes.", memory.resident)
                gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", memory.virtual)
            }
            gauge(
                "provenance_database_reachable", "1 while the database answers, 0 while requests fail with 503.",
                store.health.isReachable ? 1 : 0)
            gauge("provenance_database_connections_in_use", "Pooled database connections held by requests.", store.usage.inUse)
            gauge("provenance_database_connections_size", "Size of the database connection pool.", store.options.maximumConnections)
            gauge("provenance_database_connection_waiters", "Requests waiting for a pooled database connection.", store.usage.waiting)
            gauge("provenance_executors_waiting", "Executors waiting in a long poll for a task on this server.", engine.waitingExecutors)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            let body = ByteBuffer(string: lines.joined(separator: "\n") + "\n")
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
        }
    }
}
