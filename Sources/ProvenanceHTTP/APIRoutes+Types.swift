import Hummingbird
import ProvenanceAPI
import ProvenanceCore

extension APIRoutes {
    func registerTypes(_ namespace: RouterGroup<APIRequestContext>) {
        namespace.post("types") { request, context in
            let (definition, options) = try WireType.definition(try await body(request))
            let (type, created) = try await store.putType(definition, namespace: try context.namespace(), options: options)
            return JSONResponse.make(WireType.json(type), status: created ? .created : .ok)
        }
        namespace.get("types") { request, context in
            let kind = try request.query("kind").map { text throws(ProvenanceError) in try WireType.kind(text, field: "kind") }
            let types = try await store.listTypes(
                namespace: try context.namespace(), kind: kind, name: try request.query("name"), version: try request.query("version"))
            return JSONResponse.make(["types": .array(types.map(WireType.json))])
        }
        namespace.get("types/{id}") { _, context in
            let type = try await store.type(TypeID(try context.id()), namespace: try context.namespace())
            return JSONResponse.make(WireType.json(type))
        }
    }
}
