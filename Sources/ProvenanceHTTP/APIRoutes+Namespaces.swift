import Hummingbird
import ProvenanceCore

extension APIRoutes {
    func registerNamespaces(_ api: RouterGroup<APIRequestContext>) {
        api.post("namespaces") { request, context in
            let reader = try JSONObjectReader(try await body(request), path: "")
            try reader.rejectUnknown(["name", "description"])
            let name = try reader.requiredString("name")
            try Validation.checkNamespaceName(name)
            try requireAdmin(context.principal, over: .only([name]))
            let namespace = try await store.createNamespace(
                name: name, description: try reader.string("description"), actor: context.actor)
            return JSONResponse.make(Self.namespaceJSON(namespace), status: .created)
        }
        api.get("namespaces") { _, context in
            let namespaces = try await store.listNamespaces().filter { context.principal.namespaces.contains($0.name) }
            return JSONResponse.make(["namespaces": .array(namespaces.map(Self.namespaceJSON))])
        }
    }

    static func namespaceJSON(_ namespace: Namespace) -> JSON {
        var members: [(key: String, value: JSON)] = [
            (key: "id", value: .int(namespace.id.rawValue)), (key: "name", value: .string(namespace.name)),
        ]
        if let description = namespace.description { members.append((key: "description", value: .string(description))) }
        members.append((key: "create_time_since_epoch", value: .int(namespace.createTime / 1000)))
        return .object(members)
    }
}
