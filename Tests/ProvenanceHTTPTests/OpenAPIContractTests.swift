import Foundation
import Hummingbird
import Logging
import NIOHTTP1
import ProvenanceCore
import ProvenanceHTTP
import ProvenanceOrchestrator
import ProvenanceStore
import ProvenanceTestSupport
import Testing

/// api/openapi.yaml is the REST contract: these tests keep the server and the document from drifting apart.
@Suite struct OpenAPIContractTests {
    static let specification: YAMLValue = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../api/openapi.yaml").standardizedFileURL
        do {
            return try YAMLDocument.parse(try String(contentsOf: url, encoding: .utf8))
        } catch {
            fatalError("api/openapi.yaml is unreadable: \(error)")
        }
    }()

    static let methods = ["get", "post", "put", "patch", "delete"]

    @Test func everyServedRouteIsDocumentedAndEveryDocumentedRouteIsServed() throws {
        // The web UI's files are not part of the REST contract.
        let served = try servedRoutes().filter { !["GET /", "GET /ui", "GET /ui/**"].contains($0) }
        let paths = try #require(Self.specification["paths"])
        let documented = Set(paths.keys.flatMap { path in
            Self.methods.filter { paths[path]?[$0] != nil }.map { "\($0.uppercased()) \(path)" }
        })
        #expect(served.subtracting(documented).sorted() == [], "served but missing from api/openapi.yaml")
        #expect(documented.subtracting(served).sorted() == [], "documented but not served")
        #expect(served.count > 30)
    }

    @Test func responsesCarryTheDocumentedFieldsAndStatuses() async throws {
        try await withTestServer { server in
            var checker = ContractChecker(specification: Self.specification)
            let root = "/api/v1/namespaces/{namespace}"
            func check(_ method: HTTPMethod, _ template: String, _ path: String, json: JSON? = nil) async throws -> JSON {
                let reply = try await server.request(method, path, json: json)
                checker.check(reply.json, status: reply.status, method: method.rawValue.lowercased(), template: template)
                return reply.json
            }
            _ = try await check(.GET, "/healthz", "/healthz")
            _ = try await check(.GET, "/readyz", "/readyz")
            _ = try await check(.POST, "/api/v1/namespaces", "/api/v1/namespaces", json: ["name": "contract", "description": "d"])
            _ = try await check(.GET, "/api/v1/namespaces", "/api/v1/namespaces")
            _ = try await check(.POST, "/api/v1/namespaces", "/api/v1/namespaces", json: ["name": "contract"])
            let base = "/api/v1/namespaces/default"
            let type = try await check(
                .POST, root + "/types", base + "/types",
                json: ["kind": "artifact", "name": "Dataset", "version": "v1", "base_type": "DATASET", "properties": ["rows": "INT"]])
            _ = try await check(.GET, root + "/types/{id}", base + "/types/\(type.int("id"))")
            _ = try await check(.GET, root + "/types", base + "/types?kind=artifact")
            try await createPipelineTypes(server)
            let record = try await check(.POST, root + "/executions:record", base + "/executions:record", json: trainingRecord())
            let artifact = record.array("artifact_ids")[0]
            let context = record.array("context_ids")[0]
            guard case .int(let artifactID) = artifact, case .int(let contextID) = context else {
                Issue.record("executions:record answered \(record)")
                return
            }
            let executionID = record.int("execution_id")
            _ = try await check(.POST, root + "/lineage:record", base + "/lineage:record", json: [
                "artifacts": [["type": "Model", "uri": "s3://m2"]], "executions": [["type": "Trainer"]],
                "contexts": [["type": "Run", "name": "r1"]],
                "events": [["artifact_index": 0, "execution_index": 0, "type": "OUTPUT", "path": [["index": 0], ["key": "model"]]]],
            ])
            _ = try await check(.GET, root + "/artifacts/{id}", base + "/artifacts/\(artifactID)")
            _ = try await check(.GET, root + "/executions/{id}", base + "/executions/\(executionID)")
            _ = try await check(.GET, root + "/contexts/{id}", base + "/contexts/\(contextID)")
            _ = try await check(.PATCH, root + "/artifacts/{id}", base + "/artifacts/\(artifactID)", json: ["state": "LIVE"])
            _ = try await check(.POST, root + "/contexts", base + "/contexts", json: ["contexts": [["type": "Run", "name": "r2"]]])
            let page = try await check(.GET, root + "/artifacts", base + "/artifacts?page_size=1")
            #expect(page.string("next_page_token") != nil)
            _ = try await check(.GET, root + "/contexts/{id}/artifacts", base + "/contexts/\(contextID)/artifacts")
            _ = try await check(.GET, root + "/artifacts/{id}/contexts", base + "/artifacts/\(artifactID)/contexts")
            _ = try await check(.GET, root + "/events", base + "/events?artifact_id=\(artifactID)")
            _ = try await check(.GET, root + "/executions/{id}/events", base + "/executions/\(executionID)/events")
            _ = try await check(
                .PUT, root + "/contexts/{id}/artifacts/{artifact_id}", base + "/contexts/\(contextID)/artifacts/\(artifactID)")
            _ = try await check(
                .PUT, root + "/contexts/{id}/executions/{execution_id}", base + "/contexts/\(contextID)/executions/\(executionID)")
            let parent = try await check(.POST, root + "/contexts", base + "/contexts", json: ["type": "Pipeline", "name": "parent"])
            _ = try await check(
                .PUT, root + "/contexts/{id}/parents/{parent_id}", base + "/contexts/\(contextID)/parents/\(parent.int("id"))")
            _ = try await check(.GET, root + "/artifacts", base + "/artifacts?filter=\(encoded("type = 'Dataset' AND contexts_c.name = 'p1'"))")
            _ = try await check(.GET, root + "/artifacts", base + "/artifacts?filter=\(encoded("type = "))")
            let modelID = record.array("artifact_ids")[1].intValue
            _ = try await check(.GET, root + "/artifacts/{id}/provenance", base + "/artifacts/\(modelID)/provenance")
            _ = try await check(.GET, root + "/artifacts/{id}/impact", base + "/artifacts/\(artifactID)/impact")
            _ = try await check(.GET, root + "/artifacts/{id}/results", base + "/artifacts/\(modelID)/results?dataset_id=\(artifactID)")
            _ = try await check(.GET, root + "/artifacts/{id}/impact", base + "/artifacts/999999/impact")
            _ = try await check(.POST, root + "/lineage:query", base + "/lineage:query", json: [
                "starting_artifacts": ["ids": [.int(modelID)]], "direction": "BIDIRECTIONAL", "max_num_hops": 4,
            ])
            _ = try await check(.POST, root + "/lineage:query", base + "/lineage:query", json: ["max_num_hops": 4])
            _ = try await check(.GET, root + "/artifacts/{id}", base + "/artifacts/999999")
            _ = try await check(.POST, root + "/artifacts", base + "/artifacts", json: ["type": "Dataset", "bogus": 1])
            // Pipelines, runs and the executor protocol.
            _ = try await check(.POST, root + "/components", base + "/components", json: [
                "name": "make", "version": "1", "outputs": ["data": "Dataset"], "parameters": ["n": ["type": "INT", "default": 1]],
                "run": ["command": ["true", "{{outputs.data.uri}}"]],
            ])
            _ = try await check(.GET, root + "/components", base + "/components")
            _ = try await check(.GET, root + "/components/{name}/versions/{version}", base + "/components/make/versions/1")
            let version = try await check(.POST, root + "/pipelines", base + "/pipelines", json: [
                "name": "contract", "steps": ["make": ["component": "make@1"]],
            ])
            _ = try await check(.POST, root + "/pipelines", base + "/pipelines", json: ["name": "broken", "steps": ["x": ["component": "none@1"]]])
            _ = try await check(.GET, root + "/pipelines", base + "/pipelines")
            _ = try await check(.GET, root + "/pipelines/{name}", base + "/pipelines/contract")
            _ = try await check(.GET, root + "/pipelines/{name}/versions", base + "/pipelines/contract/versions")
            _ = try await check(.GET, root + "/pipelines/{name}/versions/{version}", base + "/pipelines/contract/versions/\(version.string("version") ?? "")")
            let run = try await check(.POST, root + "/runs", base + "/runs", json: ["pipeline": "contract", "labels": ["team": "search"]])
            let runID = run.int("id")
            _ = try await check(.GET, root + "/runs", base + "/runs?labels=team=search&page_size=1")
            _ = try await check(.POST, root + "/schedules", base + "/schedules", json: ["name": "hourly", "pipeline": "contract", "interval": "1h"])
            _ = try await check(.POST, root + "/schedules", base + "/schedules", json: ["name": "bad", "pipeline": "contract", "cron": "x"])
            _ = try await check(
                .PUT, root + "/schedules/{name}", base + "/schedules/hourly",
                json: ["pipeline": "contract", "cron": "0 2 * * *", "time_zone": "Europe/Berlin"])
            _ = try await check(.GET, root + "/schedules", base + "/schedules")
            _ = try await check(.GET, root + "/schedules/{name}", base + "/schedules/hourly")
            _ = try await check(.POST, root + "/schedules/{name}:pause", base + "/schedules/hourly:pause")
            _ = try await check(.POST, root + "/schedules/{name}:resume", base + "/schedules/hourly:resume")
            _ = try await check(.GET, root + "/schedules/{name}/ticks", base + "/schedules/hourly/ticks")
            _ = try await check(.PUT, root + "/layers/{name}", base + "/layers/gold", json: ["level": "tier", "value": "gold", "parameters": ["n": 2]])
            _ = try await check(.PUT, root + "/layers/{name}", base + "/layers/gold2", json: ["level": "tier", "value": "gold"])
            _ = try await check(.GET, root + "/layers", base + "/layers")
            _ = try await check(.GET, root + "/layers/{name}", base + "/layers/gold")
            _ = try await check(.PUT, root + "/resource-templates/{name}", base + "/resource-templates/gpu", json: ["cpu": 2, "gpu": 1])
            _ = try await check(.GET, root + "/resource-templates", base + "/resource-templates")
            _ = try await check(.GET, root + "/fleet", base + "/fleet?pipeline=contract&label=team")
            _ = try await check(.GET, root + "/fleet", base + "/fleet?pipeline=contract&stale_after=soon")
            _ = try await check(.GET, root + "/resource-templates/{name}", base + "/resource-templates/gpu")
            let executor = try await check(.POST, "/api/v1/executors", "/api/v1/executors", json: [
                "name": "contract", "capacity": ["slots": 2, "cpu": 2, "memory_mb": 1024],
            ])
            _ = try await check(.GET, "/api/v1/executors", "/api/v1/executors")
            let leases = try await check(
                .POST, "/api/v1/executors/{id}:lease", "/api/v1/executors/\(executor.int("id")):lease",
                json: ["available": ["slots": 2, "cpu": 2, "memory_mb": 1024], "max_tasks": 2])
            let token = try #require(leases.array("leases").first?.string("token"))
            _ = try await check(.POST, "/api/v1/executors/{id}:heartbeat", "/api/v1/executors/\(executor.int("id")):heartbeat", json: ["tokens": [.string(token)]])
            let logs = try await server.request(.POST, "/api/v1/leases:logs", json: ["token": .string(token), "lines": [["stream": "stdout", "text": "hello"]]])
            #expect(logs.status == 204)
            _ = try await check(.POST, "/api/v1/leases:complete", "/api/v1/leases:complete", json: [
                "token": .string(token), "outputs": ["data": ["uri": "/tmp/data"]],
            ])
            _ = try await check(.POST, "/api/v1/leases:fail", "/api/v1/leases:fail", json: ["token": .string(token), "error": "late"])
            _ = try await check(.GET, root + "/runs/{id}", base + "/runs/\(runID)")
            let tasks = try await check(.GET, root + "/runs/{id}/tasks", base + "/runs/\(runID)/tasks")
            let taskID = tasks.array("tasks")[0].int("id")
            _ = try await check(.GET, root + "/tasks/{id}", base + "/tasks/\(taskID)")
            _ = try await check(.GET, root + "/tasks/{id}/logs", base + "/tasks/\(taskID)/logs")
            _ = try await check(.POST, root + "/runs/{id}:cancel", base + "/runs/\(runID):cancel")
            _ = try await check(.POST, root + "/runs/{id}:retry", base + "/runs/\(runID):retry")
            // Tokens and the audit log; after the first token, every request needs one.
            _ = try await check(.GET, "/api/v1/whoami", "/api/v1/whoami")
            let issued = try await check(.POST, "/api/v1/tokens", "/api/v1/tokens", json: [
                "name": "contract", "role": "admin", "namespaces": ["*"], "expires": "30d",
            ])
            let admin = server.with(token: try #require(issued.string("token")))
            func checkAsAdmin(_ method: HTTPMethod, _ template: String, _ path: String, json: JSON? = nil) async throws {
                let reply = try await admin.request(method, path, json: json)
                checker.check(reply.json, status: reply.status, method: method.rawValue.lowercased(), template: template)
            }
            try await checkAsAdmin(.GET, "/api/v1/whoami", "/api/v1/whoami")
            try await checkAsAdmin(.GET, "/api/v1/tokens", "/api/v1/tokens")
            try await checkAsAdmin(.GET, "/api/v1/audit", "/api/v1/audit?page_size=2")
            try await checkAsAdmin(.POST, "/api/v1/tokens", "/api/v1/tokens", json: ["name": "x", "role": "boss", "namespaces": ["*"]])
            try await checkAsAdmin(.POST, "/api/v1/tokens/{id}:revoke", "/api/v1/tokens/\(issued.int("id")):revoke")
            _ = try await check(.GET, "/api/v1/whoami", "/api/v1/whoami")
            #expect(checker.violations == [])
            #expect(checker.checkedSchemas.isSuperset(of: [
                "Node", "NodePage", "Type", "Event", "Error", "ExecutionRecordResult", "ArtifactLineage", "RelatedArtifact",
                "LineageSubgraph", "Readiness", "Component", "ComponentList", "PipelineVersion", "PipelineList", "Pipeline",
                "PipelineVersionList", "Run", "RunList", "Task", "TaskList", "Attempt", "TaskArtifact", "Executor",
                "ExecutorList", "LeaseList", "Lease", "LeaseStatusList", "Outcome", "LogLines", "Principal", "IssuedToken",
                "TokenList", "Token", "AuditPage", "AuditEntry", "Schedule", "ScheduleSpec", "ScheduleList", "TickPage", "Layer", "LayerList", "ResourceTemplate", "ResourceTemplateList", "Fleet", "FleetRun",
            ]))
        }
    }
}

/// Compares real responses with the schemas of api/openapi.yaml: no undocumented field, no missing required
/// field, and a documented status.
struct ContractChecker {
    let specification: YAMLValue
    var violations: [String] = []
    var checkedSchemas: Set<String> = []

    mutating func check(_ json: JSON, status: Int, method: String, template: String) {
        let where_ = "\(method.uppercased()) \(template) \(status)"
        guard let response = specification["paths"]?[template]?[method]?["responses"]?[String(status)] else {
            violations.append("\(where_): status not documented")
            return
        }
        let schema = resolve(resolve(response)["content"]?["application/json"]?["schema"] ?? .null)
        guard schema != .null else {
            violations.append("\(where_): no JSON schema")
            return
        }
        conform(json, to: schema, at: where_)
    }

    /// Follows a `$ref` (recording which named schema was checked).
    mutating func resolve(_ value: YAMLValue) -> YAMLValue {
        guard let reference = value["$ref"]?.text else { return value }
        let parts = reference.split(separator: "/").dropFirst().map(String.init)
        if parts.first == "components", parts.count == 3, parts[1] == "schemas" { checkedSchemas.insert(parts[2]) }
        var target = specification
        for part in parts { target = target[part] ?? .null }
        return resolve(target)
    }

    mutating func conform(_ json: JSON, to schemaReference: YAMLValue, at location: String) {
        let schema = resolve(schemaReference)
        if case .list(let alternatives)? = schema["oneOf"] {
            // The first alternative the value fits; if none fits, the complaints about the first.
            var outcomes: [[String]] = []
            for alternative in alternatives {
                var trial = self
                trial.violations = []
                trial.conform(json, to: alternative, at: location)
                if trial.violations.isEmpty {
                    checkedSchemas.formUnion(trial.checkedSchemas)
                    return
                }
                outcomes.append(trial.violations)
            }
            violations += outcomes.first ?? []
            return
        }
        switch json {
        case .object(let members):
            guard let properties = schema["properties"] else { return }
            let keys = members.map(\.key)
            for key in keys where properties[key] == nil {
                violations.append("\(location): field '\(key)' is not documented")
            }
            for required in schema["required"]?.texts ?? [] where !keys.contains(required) {
                violations.append("\(location): required field '\(required)' is missing")
            }
            for member in members {
                if let property = properties[member.key] { conform(member.value, to: property, at: "\(location).\(member.key)") }
            }
        case .array(let items):
            guard let itemSchema = schema["items"] else { return }
            for (offset, item) in items.enumerated() { conform(item, to: itemSchema, at: "\(location)[\(offset)]") }
        case .string(let text):
            if let allowed = schema["enum"]?.texts, !allowed.isEmpty, !allowed.contains(text) {
                violations.append("\(location): '\(text)' is not one of \(allowed)")
            }
        default:
            return
        }
    }
}
