import ProvenanceCore
import ProvenanceTestSupport
import Testing

/// Tokens for tests, made over REST by `admin` (the open server's anonymous admin when nil).
struct TokenMaker {
    let server: TestServer

    /// Makes a token and returns its secret.
    func make(
        _ role: String, in namespaces: [String] = ["default"], name: String? = nil, expires: String? = nil,
        by admin: String? = nil
    ) async throws -> String {
        var request: [(key: String, value: JSON)] = [
            (key: "name", value: .string(name ?? "\(role)-\(namespaces.joined(separator: "+"))")),
            (key: "role", value: .string(role)), (key: "namespaces", value: .array(namespaces.map(JSON.string))),
        ]
        if let expires { request.append((key: "expires", value: .string(expires))) }
        let reply = try await server.with(token: admin).request(.POST, "/api/v1/tokens", json: .object(request))
        guard reply.status == 201, let token = reply.json.string("token") else {
            throw TestFailure("making a \(role) token answered \(reply.status): \(reply.text)")
        }
        return token
    }

    /// Makes namespace `name` (as the open server's admin, or `admin`).
    func namespace(_ name: String, by admin: String? = nil) async throws {
        let reply = try await server.with(token: admin).request(.POST, "/api/v1/namespaces", json: ["name": .string(name)])
        guard reply.status == 201 else { throw TestFailure("making namespace \(name) answered \(reply.status): \(reply.text)") }
    }
}
