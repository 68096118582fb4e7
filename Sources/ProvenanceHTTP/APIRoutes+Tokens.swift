import Hummingbird
import ProvenanceAPI
import ProvenanceCore
import ProvenanceStore

extension APIRoutes {
    /// The caller's identity, API tokens (admins make, list and revoke those of their namespaces) and the audit log.
    func registerTokens(_ api: RouterGroup<APIRequestContext>) {
        api.get("whoami") { _, context in
            JSONResponse.make(WireToken.json(context.principal))
        }
        api.post("tokens") { request, context in
            let tokenRequest = try WireToken.request(try await body(request))
            try requireAdmin(context.principal, over: tokenRequest.namespaces)
            let issued = try await store.createToken(tokenRequest, actor: context.actor)
            authorizer.tokenMade()
            return JSONResponse.make(WireToken.json(issued), status: .created)
        }
        api.get("tokens") { _, context in
            let tokens = try await store.listTokens(visibleTo: context.principal.namespaces)
            return JSONResponse.make(["tokens": .array(tokens.map(WireToken.json))])
        }
        api.post("tokens/{id}:revoke") { _, context in
            let token = try await store.revokeToken(
                try context.id(), visibleTo: context.principal.namespaces, actor: context.actor)
            authorizer.forget(tokenID: token.id)
            return JSONResponse.make(WireToken.json(token))
        }
        api.get("audit") { request, context in
            let size = try request.queryInt("page_size").map { try PageRequest.checkSize(Int(clamping: $0)) } ?? 100
            let fingerprint = "audit"
            var before: Int64?
            if let token = try request.query("page_token"), !token.isEmpty {
                before = try PageToken.decode(token, fingerprint: fingerprint).id
            }
            let page = try await store.auditEntries(visibleTo: context.principal.namespaces, size: size, before: before)
            var members: [(key: String, value: JSON)] = [(key: "entries", value: .array(page.items.map(WireToken.json)))]
            if let next = page.next {
                members.append((key: "next_page_token", value: .string(PageToken.encode(next, fingerprint: fingerprint))))
            }
            return JSONResponse.make(.object(members))
        }
    }

    /// Admins act on the namespaces they administer: a token, namespace or grant over others is refused.
    func requireAdmin(_ principal: Principal, over scope: NamespaceScope) throws(ProvenanceError) {
        guard !principal.holds(.admin, over: scope) else { return }
        throw ProvenanceError(
            .permissionDenied, "'\(principal.name)' is not admin of every namespace named (\(scope)); ask an admin who is")
    }
}
