/// The one table of what every REST route and every MLMD RPC asks of its caller. The HTTP middleware and the gRPC
/// interceptor read it; a test walks the router and the service and fails on any route or RPC missing here (or
/// listed here and gone), so a new route is born with a role. A request to anything not listed is refused.
public enum AccessPolicy {
    /// REST routes, keyed `METHOD /path/{parameter}` as the router names them.
    public static let rest: [String: Access] = {
        var table: [String: Access] = [:]
        func add(_ method: String, _ path: String, _ access: Access) {
            precondition(table.updateValue(access, forKey: "\(method) \(path)") == nil, "\(method) \(path) listed twice")
        }
        func namespaced(_ method: String, _ path: String, _ role: Role) {
            add(method, "/api/v1/namespaces/{namespace}/\(path)", .namespace(role))
        }
        add("GET", "/healthz", .open)
        add("GET", "/readyz", .open)
        add("GET", "/metrics", .metrics)
        // The web UI's files (they hold no data: its pages sign in to the API with a token).
        add("GET", "/", .open)
        add("GET", "/ui", .open)
        add("GET", "/ui/**", .open)
        add("GET", "/api/v1/whoami", .authenticated)
        add("GET", "/api/v1/namespaces", .authenticated)
        add("POST", "/api/v1/namespaces", .someNamespace(.admin))
        add("POST", "/api/v1/tokens", .someNamespace(.admin))
        add("GET", "/api/v1/tokens", .someNamespace(.admin))
        add("POST", "/api/v1/tokens/{id}:revoke", .someNamespace(.admin))
        add("GET", "/api/v1/audit", .someNamespace(.admin))
        add("POST", "/api/v1/executors", .someNamespace(.executor))
        add("GET", "/api/v1/executors", .someNamespace(.reader))
        add("POST", "/api/v1/executors/{id}:lease", .someNamespace(.executor))
        add("POST", "/api/v1/executors/{id}:heartbeat", .leaseHolder)
        add("POST", "/api/v1/leases:complete", .leaseHolder)
        add("POST", "/api/v1/leases:fail", .leaseHolder)
        add("POST", "/api/v1/leases:logs", .leaseHolder)
        add("POST", "/api/v1/leases:metrics", .leaseHolder)
        // OpenLineage: the handler checks writer in the namespace each event lands in.
        add("POST", "/api/v1/lineage", .someNamespace(.writer))
        // Marquez's reads: their namespace is OpenLineage's; answers hold what the caller may read.
        add("GET", "/api/v1/lineage", .someNamespace(.reader))
        add("GET", "/api/v1/namespaces/{namespace}/jobs", .someNamespace(.reader))
        add("GET", "/api/v1/namespaces/{namespace}/datasets", .someNamespace(.reader))
        add("GET", "/api/v1/namespaces/{namespace}/jobs/{job}/runs", .someNamespace(.reader))

        namespaced("POST", "types", .writer)
        namespaced("GET", "types", .reader)
        namespaced("GET", "types/{id}", .reader)
        for kind in ["artifacts", "executions", "contexts"] {
            namespaced("POST", kind, .writer)
            namespaced("GET", kind, .reader)
            namespaced("GET", "\(kind)/{id}", .reader)
            namespaced("PATCH", "\(kind)/{id}", .writer)
            namespaced("DELETE", "\(kind)/{id}", .writer)
        }
        namespaced("POST", "events", .writer)
        namespaced("GET", "events", .reader)
        namespaced("GET", "artifacts/{id}/events", .reader)
        namespaced("GET", "executions/{id}/events", .reader)
        namespaced("PUT", "contexts/{id}/artifacts/{artifact_id}", .writer)
        namespaced("PUT", "contexts/{id}/executions/{execution_id}", .writer)
        namespaced("PUT", "contexts/{id}/parents/{parent_id}", .writer)
        for relation in [
            "contexts/{id}/artifacts", "contexts/{id}/executions", "contexts/{id}/parents", "contexts/{id}/children",
            "artifacts/{id}/contexts", "executions/{id}/contexts",
        ] {
            namespaced("GET", relation, .reader)
        }
        namespaced("POST", "executions:record", .writer)
        namespaced("POST", "lineage:record", .writer)
        namespaced("GET", "artifacts/{id}/provenance", .reader)
        namespaced("GET", "artifacts/{id}/impact", .reader)
        namespaced("GET", "artifacts/{id}/results", .reader)
        namespaced("POST", "lineage:query", .reader)
        namespaced("POST", "components", .writer)
        namespaced("GET", "components", .reader)
        namespaced("GET", "components/{name}/versions/{version}", .reader)
        namespaced("POST", "pipelines", .writer)
        namespaced("GET", "pipelines", .reader)
        namespaced("GET", "pipelines/{name}", .reader)
        namespaced("GET", "pipelines/{name}/versions", .reader)
        namespaced("GET", "pipelines/{name}/versions/{version}", .reader)
        namespaced("POST", "runs", .writer)
        namespaced("GET", "runs", .reader)
        namespaced("GET", "runs/{id}", .reader)
        namespaced("POST", "runs/{id}:cancel", .writer)
        namespaced("POST", "runs/{id}:retry", .writer)
        namespaced("GET", "runs/{id}/tasks", .reader)
        namespaced("GET", "tasks/{id}", .reader)
        namespaced("GET", "tasks/{id}/logs", .reader)
        namespaced("POST", "runs/{id}/metrics", .writer)
        namespaced("POST", "tasks/{id}/metrics", .writer)
        namespaced("GET", "runs/{id}/metrics", .reader)
        namespaced("GET", "runs/{id}/metrics:points", .reader)
        namespaced("GET", "metrics:downsample", .reader)
        namespaced("GET", "runs:compare", .reader)
        namespaced("GET", "runs/{id}:diff", .reader)
        namespaced("POST", "schedules", .writer)
        namespaced("GET", "schedules", .reader)
        namespaced("GET", "schedules/{name}", .reader)
        namespaced("PUT", "schedules/{name}", .writer)
        namespaced("DELETE", "schedules/{name}", .writer)
        namespaced("POST", "schedules/{name}:pause", .writer)
        namespaced("POST", "schedules/{name}:resume", .writer)
        namespaced("GET", "schedules/{name}/ticks", .reader)
        namespaced("PUT", "layers/{name}", .writer)
        namespaced("GET", "layers", .reader)
        namespaced("GET", "layers/{name}", .reader)
        namespaced("DELETE", "layers/{name}", .writer)
        namespaced("PUT", "resource-templates/{name}", .writer)
        namespaced("GET", "resource-templates", .reader)
        namespaced("GET", "resource-templates/{name}", .reader)
        namespaced("DELETE", "resource-templates/{name}", .writer)
        namespaced("GET", "fleet", .reader)
        namespaced("GET", "events:stream", .reader)
        namespaced("POST", "metrics:downsample", .reader)
        return table
    }()

    /// The access of a REST route, by the router's method and path; nil for a route nobody gave one.
    public static func rest(method: String, path: String) -> Access? {
        rest["\(method) \(path)"]
    }

    /// MLMD's `ml_metadata.MetadataStoreService` RPCs by method name: every read asks `reader` and every write
    /// `writer` in the request's namespace.
    public static let mlmd: [String: Access] = {
        let reads = [
            "GetArtifactByTypeAndName", "GetArtifactType", "GetArtifactTypes", "GetArtifactTypesByExternalIds",
            "GetArtifactTypesByID", "GetArtifacts", "GetArtifactsByContext", "GetArtifactsByExternalIds",
            "GetArtifactsByID", "GetArtifactsByType", "GetArtifactsByURI", "GetChildrenContextsByContext",
            "GetChildrenContextsByContexts", "GetContextByTypeAndName", "GetContextType", "GetContextTypes",
            "GetContextTypesByExternalIds", "GetContextTypesByID", "GetContexts", "GetContextsByArtifact",
            "GetContextsByExecution", "GetContextsByExternalIds", "GetContextsByID", "GetContextsByType",
            "GetEventsByArtifactIDs", "GetEventsByExecutionIDs", "GetExecutionByTypeAndName", "GetExecutionType",
            "GetExecutionTypes", "GetExecutionTypesByExternalIds", "GetExecutionTypesByID", "GetExecutions",
            "GetExecutionsByContext", "GetExecutionsByExternalIds", "GetExecutionsByID", "GetExecutionsByType",
            "GetLineageGraph", "GetLineageSubgraph", "GetParentContextsByContext", "GetParentContextsByContexts",
        ]
        let writes = [
            "PutArtifactType", "PutArtifacts", "PutAttributionsAndAssociations", "PutContextType", "PutContexts",
            "PutEvents", "PutExecution", "PutExecutionType", "PutExecutions", "PutLineageSubgraph", "PutParentContexts",
            "PutTypes",
        ]
        var table: [String: Access] = [:]
        for name in reads { table[name] = .namespace(.reader) }
        for name in writes { table[name] = .namespace(.writer) }
        return table
    }()
}
