import Logging
import PostgresNIO
import ProvenanceCore
@testable import ProvenanceStore
import ProvenanceTestSupport
import Testing

/// The lineage and filter statements stay index-driven: on a generated graph of pipelines with daily runs, no plan
/// reads a whole node, event or link table.
@Suite struct QueryPlanTests {
    static let pipelines = 60
    static let days = 60
    static let scannedTables: Set<String> = ["artifacts", "executions", "contexts", "events", "attributions", "associations"]

    @Test func lineageAndFilterQueriesNeverScanWholeTables() async throws {
        let endpoint = try await TestCluster.shared.freshDatabase()
        let store = try PostgresStore(endpoint: endpoint, options: StoreOptions(maximumConnections: TestCluster.connectionsPerServer), logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            let (models, namespaceID) = try await Self.generate(store)
            try await store.client.query("VACUUM ANALYZE")
            let lastModel = models[7].last!
            var statements: [(String, SQLBuilder)] = []
            for direction in LineageDirection.allCases {
                let query = LineageQuery(startingArtifacts: .ids([lastModel]), direction: direction, maxHops: 20, nodeLimit: 1000)
                statements.append(("walk \(direction)", NodeBatchSQL.walkAndNodes(query, [:], namespaceID: namespaceID)))
            }
            let ending = LineageQuery(
                startingArtifacts: .ids([lastModel]), endingExecutions: try Filter.parse("name LIKE 'train-7-%'", kind: .execution))
            statements.append(("walk with an ending filter", NodeBatchSQL.walkAndNodes(ending, [:], namespaceID: namespaceID)))
            let filter = try Filter.parse("properties.accuracy.double_value > 0.9 AND contexts_a.name = 'p17'", kind: .artifact)
            statements.append(("filtered list", PostgresStore.listSQL(.artifact, namespaceID: namespaceID, filter: NodeListFilter(query: filter), page: PageRequest(size: 100))))
            let eventFilter = try Filter.parse("events_e.type = OUTPUT AND type = 'Model'", kind: .artifact)
            statements.append(("list by event", PostgresStore.listSQL(.artifact, namespaceID: namespaceID, filter: NodeListFilter(query: eventFilter), page: PageRequest(size: 100))))
            statements.append(("nodes by id", NodesByIDSQL.query(.artifact, ids: Array(models[3]), namespaceID: namespaceID)))
            let executions = Array(Int64(1)...Int64(10))
            let reportParts: [NodeBatchRole: NodeBatchPart] = [
                .requested: .artifacts(.ids([lastModel])),
                .related: .artifacts(.ids(models[5]), selection: .baseType("Dataset"), outputOfExecutionReading: models[5][0]),
                .artifacts: .artifacts(.ids(models[6]), selection: .filter(filter)), .executions: .executions(.ids(executions)),
                .contexts: .contexts(ofArtifacts: .ids(Array(models[7].prefix(10))), executions: .ids(executions)),
            ]
            let shortWalk = LineageQuery(startingArtifacts: .ids([lastModel]), maxHops: 2)
            statements.append(("report nodes by id", NodeBatchSQL.walkAndNodes(shortWalk, reportParts, namespaceID: namespaceID)))
            for direction in [LineageDirection.upstream, .downstream] {
                let walk = LineageQuery(startingArtifacts: .ids([models[9][30]]), direction: direction)
                let parts = LineageTemplates.artifactLineageParts(start: models[9][30], selection: .baseType("Dataset"), readingArtifact: nil)
                statements.append(("\(direction) report", NodeBatchSQL.walkAndNodes(walk, parts, namespaceID: namespaceID)))
                let subgraph = LineageTemplates.subgraphParts(endingNodes: true)
                statements.append(("\(direction) subgraph", NodeBatchSQL.walkAndNodes(walk, subgraph, eventsBetween: .walked(), links: LineageTemplates.subgraphLinks(endingNodes: true), namespaceID: namespaceID)))
            }

            let upstream = LineageQuery(startingArtifacts: .ids([lastModel]), direction: .upstream)
            let upstreamPlan = try await Self.plan(NodeBatchSQL.walkAndNodes(upstream, [:], namespaceID: namespaceID), store)
            #expect(
                JSONWriter.string(upstreamPlan).contains("events_output_idx"),
                "an upstream walk finds producers through the index of output events")

            for (label, sql) in statements {
                let plan = try await Self.plan(sql, store)
                let scanned = Self.sequentialScans(in: plan).filter(Self.scannedTables.contains)
                #expect(scanned.isEmpty, "\(label) scans \(scanned): \(JSONWriter.string(plan))")
            }

            // The lineage statements run prepared, with the plan PostgreSQL makes without seeing the values (a
            // generic plan): it must look the frontier's events up on every level and find nodes by id.
            for direction in LineageDirection.allCases {
                let walk = LineageQuery(startingArtifacts: .ids([models[4].last!]), direction: direction, maxHops: 100)
                let subgraph = NodeBatchSQL.walkAndNodes(
                    walk, LineageTemplates.subgraphParts(endingNodes: true), eventsBetween: .walked(),
                    links: LineageTemplates.subgraphLinks(endingNodes: true), namespaceID: namespaceID)
                let report = NodeBatchSQL.walkAndNodes(
                    walk, LineageTemplates.artifactLineageParts(start: models[4].last!, selection: .baseType("Dataset"), readingArtifact: nil),
                    namespaceID: namespaceID)
                for (label, sql) in [("\(direction) subgraph", subgraph), ("\(direction) report", report)] {
                    let plan: JSON
                    do { plan = try await Self.genericPlan(sql, store) } catch { Issue.record("\(String(reflecting: error))"); continue }
                    let scans = Self.scans(in: plan)
                    let unconditioned = scans.filter { $0.relation == "events" && !$0.hasIndexCondition }
                    #expect(unconditioned.isEmpty, "\(label) reads events without an index condition: \(JSONWriter.string(plan))")
                    let nodeIndexes = Set(scans.compactMap(\.index).filter { ["artifacts_", "executions_", "contexts_"].contains(where: $0.hasPrefix) })
                    #expect(nodeIndexes.isSubset(of: ["artifacts_pkey", "executions_pkey", "contexts_pkey"]), "\(label) finds nodes through \(nodeIndexes)")
                    #expect(Self.sequentialScans(in: plan).filter(Self.scannedTables.contains).isEmpty, "\(label): \(JSONWriter.string(plan))")
                }
            }
        }
    }

    /// Pipelines of daily runs: a new dataset and a trainer reading it and the previous model, writing a model;
    /// everything in its pipeline's context and its run's. Returns each pipeline's model ids and the namespace id.
    static func generate(_ store: PostgresStore) async throws -> ([[Int64]], NamespaceID) {
        for (kind, name, properties) in [
            (NodeKind.artifact, "Dataset", [String: PropertyType]()), (.artifact, "Model", ["accuracy": .double]),
            (.execution, "Trainer", [:]), (.context, "Pipeline", [:]), (.context, "Run", [:]),
        ] {
            _ = try await store.putType(NodeType(kind: kind, name: name, properties: properties), namespace: "default", options: .init())
        }
        var pipelineContexts: [Int64] = []
        let created = try await store.write(LineageWrite(contexts: (0..<pipelines).map {
            .create(NodeDraft(kind: .context, type: .name("Pipeline", version: nil), name: "p\($0)"))
        }), namespace: "default")
        pipelineContexts = created.contextIDs.map(\.rawValue)
        var models = Array(repeating: [Int64](), count: pipelines)
        for day in 0..<days {
            var write = LineageWrite(attributions: [], associations: [])
            for p in 0..<pipelines {
                let context = write.contexts.count
                write.contexts.append(.update(id: pipelineContexts[p], NodePatch()))
                let run = write.contexts.count
                write.contexts.append(.create(NodeDraft(kind: .context, type: .name("Run", version: nil), name: "p\(p)-\(day)")))
                let dataset = write.artifacts.count
                write.artifacts.append(.create(NodeDraft(kind: .artifact, type: .name("Dataset", version: nil), uri: "s3://\(p)/\(day)")))
                var inputs = [dataset]
                if let previous = models[p].last {
                    inputs.append(write.artifacts.count)
                    write.artifacts.append(.update(id: previous, NodePatch()))
                }
                let model = write.artifacts.count
                let accuracy = 0.8 + Double((p * 7 + day) % 20) / 100
                write.artifacts.append(.create(NodeDraft(
                    kind: .artifact, type: .name("Model", version: nil), properties: ["accuracy": .typed(.double(accuracy))])))
                let trainer = write.executions.count
                write.executions.append(.create(NodeDraft(kind: .execution, type: .name("Trainer", version: nil), name: "train-\(p)-\(day)")))
                write.events += inputs.map { EventEdge(artifactIndex: $0, executionIndex: trainer, type: .input) }
                write.events.append(EventEdge(artifactIndex: model, executionIndex: trainer, type: .output))
                for link in [context, run] {
                    write.attributions! += [dataset, model].map { IndexLink(contextIndex: link, nodeIndex: $0) }
                    write.associations!.append(IndexLink(contextIndex: link, nodeIndex: trainer))
                }
            }
            let result = try await store.write(write, namespace: "default")
            var offset = 0
            for p in 0..<pipelines {
                offset += models[p].isEmpty ? 1 : 2
                models[p].append(result.artifactIDs[offset].rawValue)
                offset += 1
            }
        }
        return (models, try await store.namespaceID("default"))
    }

    static func plan(_ sql: SQLBuilder, _ store: PostgresStore) async throws -> JSON {
        let rows = try await store.client.query(PostgresQuery(unsafeSQL: "EXPLAIN (FORMAT JSON) " + sql.text, binds: sql.bindings))
        for try await (text,) in rows.decode((String,).self) { return try JSONParser.parse(text) }
        throw ProvenanceError(.internal, "EXPLAIN returned nothing")
    }

    /// The plan of `sql` as a prepared statement planned without its values, as PostgreSQL plans a prepared
    /// statement once it settles on a generic plan.
    static func genericPlan(_ sql: SQLBuilder, _ store: PostgresStore) async throws -> JSON {
        // EXECUTE takes literals, not bound values: have the database write each bound value as text (its type is
        // the cast the statement gives it), then quote it.
        var types: [Int: String] = [:]
        for match in sql.text.matches(of: /\$([0-9]+)::([a-z0-9]+(\[\])?)/) { types[Int(match.1)!] = String(match.2) }
        let typed = try (1...sql.bindings.count).map { position in
            guard let type = types[position] else { throw ProvenanceError(.internal, "parameter $\(position) has no cast") }
            return (position, type)
        }
        return try await store.client.withConnection { connection in
            let echoed = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT ARRAY[\(typed.map { "($\($0)::\($1))::text" }.joined(separator: ", "))]", binds: sql.bindings),
                logger: store.logger)
            var values: [String] = []
            for try await (texts,) in echoed.decode(([String],).self) { values = texts }
            let literals = zip(values, typed).map { "'\($0.replacingOccurrences(of: "'", with: "''"))'::\($1.1)" }
            _ = try await connection.query("SET plan_cache_mode = force_generic_plan", logger: store.logger)
            _ = try await connection.query(PostgresQuery(unsafeSQL: "PREPARE generic_plan_check AS " + sql.text), logger: store.logger)
            var plan: JSON = .null
            var failure: (any Error)?
            do {
                let rows = try await connection.query(
                    PostgresQuery(unsafeSQL: "EXPLAIN (FORMAT JSON) EXECUTE generic_plan_check(\(literals.joined(separator: ", ")))"),
                    logger: store.logger)
                for try await (text,) in rows.decode((String,).self) { plan = try JSONParser.parse(text) }
            } catch {
                failure = error
            }
            // The pooled connection goes back as it came, whether or not the plan was read.
            _ = try await connection.query("DEALLOCATE generic_plan_check", logger: store.logger)
            _ = try await connection.query("RESET plan_cache_mode", logger: store.logger)
            if let failure { throw failure }
            return plan
        }
    }

    /// Every scan in a plan: the relation (nil for a bitmap index scan), the index, whether it has an index
    /// condition (a bitmap heap scan takes its condition from its bitmap index scans).
    static func scans(in plan: JSON) -> [(relation: String?, index: String?, hasIndexCondition: Bool)] {
        switch plan {
        case .array(let elements): return elements.flatMap(scans)
        case .object(let members):
            var found = members.flatMap { scans(in: $0.value) }
            if case .string(let type)? = plan["Node Type"], type.hasSuffix("Scan"), type != "CTE Scan", type != "Function Scan",
               type != "WorkTable Scan", type != "Subquery Scan" {
                var relation: String?, index: String?
                if case .string(let name)? = plan["Relation Name"] { relation = name }
                if case .string(let name)? = plan["Index Name"] { index = name }
                let conditioned = plan["Index Cond"] != nil || type == "Bitmap Heap Scan"
                found.append((relation, index, conditioned))
            }
            return found
        default: return []
        }
    }

    /// The relations read by sequential scans anywhere in a plan.
    static func sequentialScans(in plan: JSON) -> [String] {
        switch plan {
        case .array(let elements): return elements.flatMap(sequentialScans)
        case .object(let members):
            var found = members.flatMap { sequentialScans(in: $0.value) }
            if case .string("Seq Scan")? = plan["Node Type"], case .string(let relation)? = plan["Relation Name"] {
                found.append(relation)
            }
            return found
        default: return []
        }
    }
}
