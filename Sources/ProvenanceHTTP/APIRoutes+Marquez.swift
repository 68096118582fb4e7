import Foundation
import Hummingbird
import ProvenanceAPI
import ProvenanceCore

extension APIRoutes {
    /// Marquez's reads, over what OpenLineage events wrote, for tools that speak Marquez. Their `{namespace}` is an
    /// OpenLineage namespace (URL-encoded: `postgres%3A%2F%2Fdb%3A5432`), and answers hold only what the caller may
    /// read.
    func registerMarquez(api: RouterGroup<APIRequestContext>, namespace: RouterGroup<APIRequestContext>) {
        api.get("lineage") { request, context in
            let query = request.queryString
            guard let nodeID = try query.value("nodeId") else { throw ProvenanceError.invalid("nodeId", "is required") }
            let depth = try Self.bounded(query.integer("depth"), name: "depth", default: 20, range: 1...100)
            let graph = try await store.openLineageGraph(
                around: try OpenLineageNodeName.candidates(nodeID, field: "nodeId"), depth: depth,
                readable: context.principal.namespaces)
            return JSONResponse.make(WireMarquez.lineage(graph))
        }
        namespace.get("jobs") { request, context in
            let (limit, offset) = try Self.window(request)
            let (page, edges) = try await store.openLineageJobs(
                namespace: try context.percentDecoded("namespace"), readable: context.principal.namespaces, limit: limit,
                offset: offset)
            return JSONResponse.make(WireMarquez.jobs(page.items, edges: edges, total: page.total))
        }
        namespace.get("datasets") { request, context in
            let (limit, offset) = try Self.window(request)
            let page = try await store.openLineageDatasets(
                namespace: try context.percentDecoded("namespace"), readable: context.principal.namespaces, limit: limit,
                offset: offset)
            return JSONResponse.make(WireMarquez.datasets(page.items, total: page.total))
        }
        namespace.get("jobs/{job}/runs") { request, context in
            let (limit, offset) = try Self.window(request)
            let page = try await store.openLineageRuns(
                namespace: try context.percentDecoded("namespace"), job: try context.percentDecoded("job"),
                readable: context.principal.namespaces, limit: limit, offset: offset)
            return JSONResponse.make(WireMarquez.runs(page.items, total: page.total))
        }
    }

    /// Marquez's paging parameters: `limit` (1 to 1,000, 100 if absent) and `offset`.
    private static func window(_ request: Request) throws(ProvenanceError) -> (limit: Int, offset: Int) {
        let query = request.queryString
        return (
            try bounded(query.integer("limit"), name: "limit", default: 100, range: 1...1000),
            try bounded(query.integer("offset"), name: "offset", default: 0, range: 0...Int.max)
        )
    }

    private static func bounded(_ value: Int64?, name: String, default fallback: Int, range: ClosedRange<Int>)
        throws(ProvenanceError) -> Int
    {
        guard let value else { return fallback }
        guard let number = Int(exactly: value), range.contains(number) else {
            throw .invalid(name, "must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
        }
        return number
    }
}

extension APIRequestContext {
    /// A path parameter with its percent-escapes decoded (the router leaves them): OpenLineage names hold '/' and
    /// ':', which clients send escaped.
    func percentDecoded(_ name: String) throws(ProvenanceError) -> String {
        let raw = parameters.get(name) ?? ""
        guard let text = raw.removingPercentEncoding else {
            throw .invalid(name, "'\(raw.prefix(200))' is not valid percent-encoded UTF-8")
        }
        try Validation.checkText(text, field: name)
        return text
    }
}
