import Hummingbird
import ProvenanceAPI
import ProvenanceCore
import ProvenanceStore

extension APIRoutes {
    /// Configuration layers and resource templates: apply (JSON or YAML), read, list, delete.
    func registerLayers(_ namespace: RouterGroup<APIRequestContext>) {
        registerResourceTemplates(namespace)
        namespace.put("layers/{name}") { request, context in
            let name = try context.text("name")
            let body = try Self.naming(try await JSONResponse.spec(of: request, limit: limits.maximumBodyBytes), name)
            let (stored, changed) = try await store.applyLayer(try ConfigurationLayer(json: body), namespace: try context.namespace(), actor: context.actor)
            return JSONResponse.make(Self.json(stored), status: changed && stored.revision == 1 ? .created : .ok)
        }
        namespace.get("layers") { _, context in
            let layers = try await store.layers(namespace: try context.namespace())
            return JSONResponse.make(["layers": .array(layers.map(Self.json))])
        }
        namespace.get("layers/{name}") { _, context in
            JSONResponse.make(Self.json(try await store.layer(try context.text("name"), namespace: try context.namespace())))
        }
        namespace.delete("layers/{name}") { _, context in
            try await store.deleteLayer(try context.text("name"), namespace: try context.namespace(), actor: context.actor)
            return Response(status: .noContent)
        }
    }

    private func registerResourceTemplates(_ namespace: RouterGroup<APIRequestContext>) {
        namespace.put("resource-templates/{name}") { request, context in
            let name = try context.text("name")
            let body = try Self.naming(try await JSONResponse.spec(of: request, limit: limits.maximumBodyBytes), name)
            let template = try ResourceTemplate(json: body)
            let (_, created) = try await store.applyResourceTemplate(template, namespace: try context.namespace(), actor: context.actor)
            return JSONResponse.make(template.json, status: created ? .created : .ok)
        }
        namespace.get("resource-templates") { _, context in
            let templates = try await store.resourceTemplates(namespace: try context.namespace())
            return JSONResponse.make(["resource_templates": .array(templates.map(\.json))])
        }
        namespace.get("resource-templates/{name}") { _, context in
            let name = try context.text("name")
            guard let template = try await store.resourceTemplates(namespace: try context.namespace(), names: [name]).first else {
                throw ProvenanceError.notFound("resource template \(name) not found")
            }
            return JSONResponse.make(template.json)
        }
        namespace.delete("resource-templates/{name}") { _, context in
            try await store.deleteResourceTemplate(try context.text("name"), namespace: try context.namespace(), actor: context.actor)
            return Response(status: .noContent)
        }
    }

    private static func json(_ stored: StoredLayer) -> JSON {
        WireLayer.json(stored.layer, revision: stored.revision, createTime: stored.createTime, updateTime: stored.updateTime)
    }
}
