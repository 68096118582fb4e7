import Hummingbird
import ProvenanceAPI
import ProvenanceCore

extension APIRoutes {
    /// The composite writes, each one atomic statement in the store.
    func registerRecords(_ namespace: RouterGroup<APIRequestContext>) {
        namespace.post("executions:record") { request, context in
            let (write, names) = try WireRecord.executionRecord(try await body(request))
            let result = try await store.write(write, namespace: try context.namespace(), names: names)
            return JSONResponse.make(WireRecord.executionRecordResponse(result), status: .created)
        }
        namespace.post("lineage:record") { request, context in
            let write = try WireRecord.lineageRecord(try await body(request))
            let result = try await store.write(write, namespace: try context.namespace())
            return JSONResponse.make(WireRecord.lineageRecordResponse(result), status: .created)
        }
    }
}
