import Hummingbird
import ProvenanceAPI
import ProvenanceCore
import ProvenanceStore

extension APIRoutes {
    /// Create (one or many), get, list, PATCH and DELETE for one node kind.
    func registerNodes(_ namespace: RouterGroup<APIRequestContext>, kind: NodeKind) {
        namespace.post(RouterPath(kind.plural)) { request, context in
            let json = try await body(request)
            let many = json[kind.plural]
            let elements: [JSON]
            if let many {
                guard case .array(let array) = many, !array.isEmpty else {
                    throw ProvenanceError.invalid(kind.plural, "expected a non-empty array")
                }
                try JSONObjectReader(json, path: "").rejectUnknown([kind.plural])
                elements = array
            } else {
                elements = [json]
            }
            var write = LineageWrite()
            let nodes = try elements.enumerated().map { offset, element throws(ProvenanceError) in
                NodeWrite.create(try WireNode.draft(try JSONObjectReader(element, path: many == nil ? "" : "\(kind.plural)[\(offset)]"), kind: kind))
            }
            write.setNodes(nodes, of: kind)
            // One node posted alone is the body itself: its errors name its fields without an index.
            var names = LineageWriteFieldNames()
            if many == nil { names.nodePath = { _, _ in "" } }
            let created = try await store.writeNodes(write, of: kind, namespace: try context.namespace(), names: names)
            if many == nil, let node = created.first {
                return JSONResponse.make(WireNode.json(node), status: .created, headers: [.eTag: Self.eTag(node)])
            }
            return JSONResponse.make([kind.plural: .array(created.map(WireNode.json))], status: .created)
        }
        namespace.get(RouterPath(kind.plural)) { request, context in
            try await list(kind, request: request, context: context, relation: nil)
        }
        namespace.get(RouterPath("\(kind.plural)/{id}")) { _, context in
            let node = try await store.node(kind, id: try context.id(), namespace: try context.namespace())
            return JSONResponse.make(WireNode.json(node), headers: [.eTag: Self.eTag(node)])
        }
        namespace.patch(RouterPath("\(kind.plural)/{id}")) { request, context in
            let id = try context.id()
            let reader = try JSONObjectReader(try await body(request), path: "")
            try reader.rejectUnknown(WireNode.updateFields.filter { !["id", "type_id", "type", "type_version"].contains($0) })
            var patch = try WireNode.patch(reader, kind: kind)
            if let ifMatch = request.headers[.ifMatch] {
                guard let revision = Self.revision(fromETag: ifMatch) else {
                    throw ProvenanceError.invalid("If-Match", "expected an ETag this server issued, like \"3\"")
                }
                patch.expectedRevision = revision
            }
            var write = LineageWrite()
            write.setNodes([NodeWrite.update(id: id, patch)], of: kind)
            var names = LineageWriteFieldNames()
            names.nodePath = { _, _ in "" }
            guard let node = try await store.writeNodes(write, of: kind, namespace: try context.namespace(), names: names).first
            else {
                throw ProvenanceError.notFound("\(kind.rawValue) \(id) not found")
            }
            return JSONResponse.make(WireNode.json(node), headers: [.eTag: Self.eTag(node)])
        }
        namespace.delete(RouterPath("\(kind.plural)/{id}")) { _, context in
            let tombstone = try await store.deleteNode(
                kind, id: try context.id(), namespace: try context.namespace(), actor: context.actor)
            return JSONResponse.make(WireNode.json(tombstone))
        }
    }

    /// A page of nodes, shared by the plain lists and the relation reads.
    func list(_ kind: NodeKind, request: Request, context: APIRequestContext, relation: NodeRelation?) async throws
        -> Response
    {
        let query = try NodeListQuery(query: request.queryString)
        var filter = NodeListFilter(
            name: query.name, externalIDs: query.externalID.map { [$0] }, uris: query.uri.map { [$0] }, relation: relation)
        filter.typeID = query.typeID
        if let text = query.filter { filter.query = try Filter.parse(text, kind: kind) }
        let namespaceName = try context.namespace()
        if let typeName = query.type {
            guard let type = try await store.type(kind, named: typeName, version: query.typeVersion, namespace: namespaceName) else {
                throw ProvenanceError.notFound("\(kind.rawValue) type '\(typeName)' not found")
            }
            filter.typeID = type.id
        }
        var page = PageRequest(size: query.pageSize, order: query.order)
        let fingerprint = "\(kind.rawValue)|\(filter.fingerprint)|\(page.order.field.rawValue)|\(page.order.descending)"
        if let token = query.pageToken { page.after = try PageToken.decode(token, fingerprint: fingerprint) }
        let result = try await store.listNodes(kind, namespace: namespaceName, filter: filter, page: page)
        var members: [(key: String, value: JSON)] = [(key: kind.plural, value: .array(result.items.map(WireNode.json)))]
        if let next = result.next {
            members.append((key: "next_page_token", value: .string(PageToken.encode(next, fingerprint: fingerprint))))
        }
        return JSONResponse.make(.object(members))
    }

    static func eTag(_ node: Node) -> String { "\"\(node.revision)\"" }

    /// Reads `"3"` or `W/"3"`.
    static func revision(fromETag text: String) -> Int64? {
        var value = Substring(text.trimmingPrefix("W/"))
        guard value.count >= 2, value.first == "\"", value.last == "\"" else { return nil }
        value = value.dropFirst().dropLast()
        return Int64(value)
    }
}
