import Foundation
import Hummingbird
import Logging
import NIOHTTP1
import ProvenanceServer
import ProvenanceCore
import ProvenanceHTTP
import ProvenanceOrchestrator
import ProvenanceStore
import ProvenanceTestSupport
import Testing

/// Authentication and roles over the real HTTP server: open on loopback until the first token, then every
/// request needs one; each credential problem is a 401 saying which; each role does what it may and gets 403 for
/// the rest; no token of another namespace ever reads or writes this one.
@Suite struct AuthTests {
    @Test func everyRouteServedHasARoleAndEveryRoleARoute() throws {
        let served = try servedRoutes()
        let listed = Set(AccessPolicy.rest.keys)
        #expect(served.subtracting(listed).sorted() == [], "served without a role in AccessPolicy.rest")
        #expect(listed.subtracting(served).sorted() == [], "given a role in AccessPolicy.rest but not served")
    }

    @Test func aServerWithoutTokensIsOpenAndTheFirstTokenClosesIt() async throws {
        try await withTestServer { server in
            let open = try await server.request(.GET, "/api/v1/whoami")
            #expect(open.status == 200)
            #expect(open.json.string("source") == "open")
            let admin = try await TokenMaker(server: server).make("admin", in: ["*"])
            #expect(admin.hasPrefix("prov_") && admin.count == 48)
            let refused = try await server.api(.GET, "/artifacts")
            #expect(refused.status == 401)
            #expect(refused.errorCode == "unauthenticated")
            #expect(refused.errorMessage.contains("Authorization: Bearer"))
            #expect(refused.headers.first(name: "WWW-Authenticate")?.hasPrefix("Bearer") == true)
            let me = try await server.with(token: admin).request(.GET, "/api/v1/whoami")
            #expect(me.json.string("name") == "admin-*")
            #expect(me.json.string("source") == "token")
            #expect(try await server.with(token: admin).api(.GET, "/artifacts").status == 200)
            // Health probes stay open; metrics need a credential.
            #expect(try await server.request(.GET, "/healthz").status == 200)
            #expect(try await server.request(.GET, "/readyz").status == 200)
            #expect(try await server.request(.GET, "/metrics").status == 401)
            #expect(try await server.with(token: admin).request(.GET, "/metrics").status == 200)
            // The secret is stored only as a digest, and no listing shows it.
            let listing = try await server.with(token: admin).request(.GET, "/api/v1/tokens")
            #expect(!listing.text.contains(admin))
            #expect(listing.json.array("tokens").first?.string("prefix") == String(admin.prefix(13)))
        }
    }

    @Test func aHeartbeatProvesAnExecutorAliveOnlyWithItsTokenOrALeaseItHolds() async throws {
        try await withTestServer { server in
            let maker = TokenMaker(server: server)
            let admin = try await maker.make("admin", in: ["*"])
            let executorToken = try await maker.make("executor", by: admin)
            let executor = server.with(token: executorToken)
            let registered = try await executor.request(.POST, "/api/v1/executors", json: ["name": "e", "capacity": ["slots": 1]])
            let id = registered.json.int("id")
            func lastSeen() async throws -> Int64? {
                let list = try await server.with(token: admin).request(.GET, "/api/v1/executors")
                return list.json.array("executors").first { $0.int("id") == id }?.int("last_seen_since_epoch")
            }
            let before = try await lastSeen()
            try await Task.sleep(for: .milliseconds(20))
            // Nobody's heartbeat without a lease proves nothing: refused, and the executor is not made to look alive.
            for anonymous in [server.with(token: nil), server.with(token: "prov_" + String(repeating: "A", count: 43))] {
                let refused = try await anonymous.request(.POST, "/api/v1/executors/\(id):heartbeat", json: ["tokens": []])
                #expect(refused.status == 401, "\(refused.text)")
                #expect(refused.errorMessage.contains("needs the executor's token"), "\(refused.text)")
            }
            #expect(try await lastSeen() == before)
            let beat = try await executor.request(.POST, "/api/v1/executors/\(id):heartbeat", json: ["tokens": []])
            #expect(beat.status == 200, "\(beat.text)")
            #expect(try await lastSeen() ?? 0 > before ?? 0)
        }
    }

    @Test func publicMetricsAnswerWithoutACredential() async throws {
        try await withTestServer(configure: { $0.publicMetrics = true }) { server in
            _ = try await TokenMaker(server: server).make("admin", in: ["*"])
            #expect(try await server.request(.GET, "/metrics").status == 200)
            #expect(try await server.api(.GET, "/artifacts").status == 401)
        }
    }

    @Test func badCredentialsAreRefusedWith401SayingWhich() async throws {
        try await withTestServer { server in
            let maker = TokenMaker(server: server)
            let admin = try await maker.make("admin", in: ["*"])
            let revoked = try await maker.make("reader", name: "to-revoke", by: admin)
            let id = try await tokenID(named: "to-revoke", server, admin: admin)
            let revoke = try await server.with(token: admin).request(.POST, "/api/v1/tokens/\(id):revoke")
            #expect(revoke.status == 200)
            #expect(revoke.json["revoke_time_since_epoch"] != nil)
            let cases: [(header: String, message: String)] = [
                ("Bearer prov_short", "malformed or truncated"),
                ("Bearer " + String(admin.dropLast()), "malformed or truncated"),
                ("Bearer prov_" + String(repeating: "A", count: 43), "not known to this server"),
                ("Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "checks none (no --oidc-issuer)"),
                ("Basic YWRtaW46YWRtaW4=", "must be 'Bearer <token>'"),
                ("Bearer " + String(repeating: "a", count: 20_000), "20000 bytes, more than the 16384 read"),
                ("Bearer " + revoked, "'to-revoke' was revoked"),
            ]
            for (header, message) in cases {
                let reply = try await server.api(.GET, "/artifacts", headers: [("Authorization", header)])
                #expect(reply.status == 401, "\(header)")
                #expect(reply.errorMessage.contains(message), "\(header): \(reply.errorMessage)")
            }
            let shortLived = try await maker.make("reader", name: "short-lived", expires: "1s", by: admin)
            try await eventually("the token to expire") {
                let reply = try await server.with(token: shortLived).api(.GET, "/artifacts")
                return reply.status == 401 && reply.errorMessage.contains("'short-lived' expired at")
            }
            // A token request that is wrong is a 400 naming the field.
            for (body, field) in [
                (["name": "x", "role": "root", "namespaces": ["default"]] as JSON, "role"),
                (["name": "x", "role": "reader", "namespaces": []], "namespaces"),
                (["name": "x", "role": "reader", "namespaces": ["../x"]], "namespaces[0]"),
                (["name": "x", "role": "reader", "namespaces": ["default"], "expires": "soon"], "expires"),
            ] {
                let reply = try await server.with(token: admin).request(.POST, "/api/v1/tokens", json: body)
                #expect(reply.status == 400, "\(body)")
                #expect(reply.json["error"]?["details"]?["field"] == .string(field), "\(reply.text)")
            }
            let missing = try await server.with(token: admin).request(
                .POST, "/api/v1/tokens", json: ["name": "x", "role": "reader", "namespaces": ["nowhere"]])
            #expect(missing.status == 404)
            #expect(missing.errorMessage.contains("namespace 'nowhere' not found"))
        }
    }

    @Test func eachRoleDoesWhatItMayAndGets403ForTheRest() async throws {
        try await withTestServer { server in
            let maker = TokenMaker(server: server)
            let admin = try await maker.make("admin", in: ["*"])
            let reader = try await maker.make("reader", by: admin)
            let writer = try await maker.make("writer", by: admin)
            let executor = try await maker.make("executor", by: admin)
            let type: JSON = ["kind": "artifact", "name": "Dataset"]
            #expect(try await server.with(token: reader).api(.GET, "/artifacts").status == 200)
            let readerWrite = try await server.with(token: reader).api(.POST, "/types", json: type)
            #expect(readerWrite.status == 403)
            #expect(readerWrite.errorMessage.contains("is reader in namespace 'default'; this needs writer"))
            #expect(try await server.with(token: writer).api(.POST, "/types", json: type).status == 201)
            let writerToken = try await server.with(token: writer).request(
                .POST, "/api/v1/tokens", json: ["name": "x", "role": "reader", "namespaces": ["default"]])
            #expect(writerToken.status == 403)
            #expect(try await server.with(token: writer).request(.GET, "/api/v1/audit").status == 403)
            #expect(try await server.with(token: writer).request(.POST, "/api/v1/namespaces", json: ["name": "w"]).status == 403)
            // An executor runs steps and does nothing else: no reads, no writes.
            #expect(try await server.with(token: executor).api(.GET, "/artifacts").status == 403)
            #expect(try await server.with(token: executor).api(.POST, "/types", json: type).status == 403)
            let registered = try await server.with(token: executor).request(
                .POST, "/api/v1/executors", json: ["name": "e", "capacity": ["slots": 1]])
            #expect(registered.status == 201)
            #expect(try await server.with(token: writer).request(
                .POST, "/api/v1/executors", json: ["name": "e", "capacity": ["slots": 1]]).status == 403)
            // A namespace's admin administers that namespace only.
            try await maker.namespace("team", by: admin)
            let teamAdmin = try await maker.make("admin", in: ["team"], name: "team-admin", by: admin)
            #expect(try await server.with(token: teamAdmin).request(
                .POST, "/api/v1/tokens", json: ["name": "t", "role": "writer", "namespaces": ["team"]]).status == 201)
            let overreach = try await server.with(token: teamAdmin).request(
                .POST, "/api/v1/tokens", json: ["name": "t", "role": "writer", "namespaces": ["default"]])
            #expect(overreach.status == 403)
            #expect(overreach.errorMessage.contains("not admin of every namespace named"))
            #expect(try await server.with(token: teamAdmin).request(
                .POST, "/api/v1/tokens", json: ["name": "t", "role": "writer", "namespaces": ["*"]]).status == 403)
            let teamTokens = try await server.with(token: teamAdmin).request(.GET, "/api/v1/tokens")
            #expect(Set(teamTokens.json.array("tokens").compactMap { $0.string("name") }) == ["team-admin", "t"])
            let adminID = try await tokenID(named: "admin-*", server, admin: admin)
            #expect(try await server.with(token: teamAdmin).request(.POST, "/api/v1/tokens/\(adminID):revoke").status == 404)
        }
    }

    /// Every namespaced route, called with tokens that hold another namespace (even as admin), is refused; and the
    /// lists outside namespaces show only what the token holds.
    @Test func noTokenOfAnotherNamespaceReadsOrWritesThisOne() async throws {
        try await withTestServer { server in
            let maker = TokenMaker(server: server)
            let admin = try await maker.make("admin", in: ["*"])
            try await createPipelineTypes(server.with(token: admin))
            let record = try await server.with(token: admin).api(.POST, "/executions:record", json: trainingRecord())
            #expect(record.status == 201)
            try await maker.namespace("other", by: admin)
            let outsiders = [
                try await maker.make("admin", in: ["other"], name: "other-admin", by: admin),
                try await maker.make("writer", in: ["other"], name: "other-writer", by: admin),
                try await maker.make("reader", in: ["other"], name: "other-reader", by: admin),
            ]
            let parameters = [
                "{namespace}": "default", "{id}": "1", "{artifact_id}": "1", "{execution_id}": "1", "{parent_id}": "1",
                "{name}": "p", "{version}": "1",
            ]
            var called = 0
            for (route, access) in AccessPolicy.rest {
                guard case .namespace = access else { continue }
                let parts = route.split(separator: " ", maxSplits: 1)
                var path = String(parts[1])
                for (name, value) in parameters { path = path.replacing(name, with: value) }
                let method = HTTPMethod(rawValue: String(parts[0]))
                for token in outsiders {
                    let reply = try await server.with(token: token).request(
                        method, path, json: method == .GET ? nil : .object([]))
                    #expect(reply.status == 403, "\(route) answered \(reply.status) to a token of another namespace")
                    #expect(reply.errorMessage.contains("holds no role in namespace 'default'"), "\(route): \(reply.text)")
                    called += 1
                }
            }
            let namespaced = AccessPolicy.rest.values.filter { if case .namespace = $0 { true } else { false } }
            #expect(called == namespaced.count * outsiders.count && called > 100)
            let namespaces = try await server.with(token: outsiders[0]).request(.GET, "/api/v1/namespaces")
            #expect(namespaces.json.array("namespaces").compactMap { $0.string("name") } == ["other"])
            let audit = try await server.with(token: outsiders[0]).request(.GET, "/api/v1/audit")
            #expect(audit.status == 200)
            #expect(audit.json.array("entries").allSatisfy { $0["namespaces"] == ["other"] }, "\(audit.text)")
        }
    }

    @Test func executorsAreLeasedOnlyTheirNamespacesTasks() async throws {
        try await withTestServer { server in
            let maker = TokenMaker(server: server)
            let admin = try await maker.make("admin", in: ["*"])
            try await maker.namespace("elsewhere", by: admin)
            let asAdmin = server.with(token: admin)
            try await createOneStepPipeline(asAdmin)
            #expect(try await asAdmin.api(.POST, "/runs", json: ["pipeline": "p"]).status == 201)
            func lease(_ token: String, wait: Int) async throws -> [JSON] {
                let executor = server.with(token: token)
                let registered = try await executor.request(
                    .POST, "/api/v1/executors", json: ["name": "e", "capacity": ["slots": 1]])
                let reply = try await executor.request(
                    .POST, "/api/v1/executors/\(registered.json.int("id")):lease",
                    json: ["available": ["slots": 1], "wait_ms": .int(Int64(wait))])
                #expect(reply.status == 200, "\(reply.text)")
                return reply.json.array("leases")
            }
            let foreign = try await maker.make("executor", in: ["elsewhere"], by: admin)
            #expect(try await lease(foreign, wait: 300).isEmpty)
            let own = try await maker.make("executor", in: ["default"], by: admin)
            let leases = try await lease(own, wait: 10_000)
            #expect(leases.count == 1)
            #expect(leases.first?.string("namespace") == "default")
        }
    }

    @Test func changesThatMatterAreInTheAuditLogWithWhoAndWhere() async throws {
        try await withTestServer { server in
            let maker = TokenMaker(server: server)
            let admin = try await maker.make("admin", in: ["*"], name: "root-admin")
            let asAdmin = server.with(token: admin)
            try await maker.namespace("audited", by: admin)
            let writer = try await maker.make("writer", name: "ci", by: admin)
            let id = try await tokenID(named: "ci", server, admin: admin)
            try await createOneStepPipeline(asAdmin)
            let run = try await server.with(token: writer).api(.POST, "/runs", json: ["pipeline": "p"])
            let runID = run.json.int("id")
            #expect(try await server.with(token: writer).api(.POST, "/runs/\(runID):cancel").status == 200)
            #expect(try await server.with(token: writer).api(.POST, "/runs/\(runID):retry").status == 200)
            #expect(try await asAdmin.request(.POST, "/api/v1/tokens/\(id):revoke").status == 200)
            // A refused change leaves no entry.
            #expect(try await asAdmin.api(.POST, "/runs/999999:cancel").status == 404)
            let audit = try await asAdmin.request(.GET, "/api/v1/audit?page_size=3")
            let first = audit.json.array("entries")
            #expect(first.map { $0.string("action") } == ["token.revoke", "run.retry", "run.cancel"])
            #expect(first[1]["actor"]?.string("name") == "ci")
            #expect(first[1]["actor"]?.string("source") == "token")
            #expect(first[1]["actor"]?.string("address")?.hasPrefix("127.0.0.1:") == true)
            #expect(first[2].string("target") == "run \(runID)")
            #expect(first[2]["namespaces"] == ["default"])
            let token = try #require(audit.json.string("next_page_token"))
            let rest = try await asAdmin.request(.GET, "/api/v1/audit?page_size=100&page_token=\(token)")
            #expect(rest.json.array("entries").map { $0.string("action") } == [
                "token.create", "namespace.create", "token.create",
            ])
            #expect(rest.json.array("entries").last?["actor"]?.string("source") == "open")
        }
    }

    @Test func aTokenRevokedOnOneReplicaIsRefusedByTheOthers() async throws {
        try await withTestReplicas(2) { replicas in
            let admin = try await TokenMaker(server: replicas[0]).make("admin", in: ["*"])
            let reader = try await TokenMaker(server: replicas[0]).make("reader", name: "shared", by: admin)
            // Both replicas know (and cache) the token.
            for replica in replicas { #expect(try await replica.with(token: reader).api(.GET, "/artifacts").status == 200) }
            let id = try await tokenID(named: "shared", replicas[0], admin: admin)
            #expect(try await replicas[0].with(token: admin).request(.POST, "/api/v1/tokens/\(id):revoke").status == 200)
            #expect(try await replicas[0].with(token: reader).api(.GET, "/artifacts").status == 401)
            // The other replica trusts its cache for Authorizer.cacheLifetime (2 s), then asks the database.
            try await eventually("the other replica to refuse the revoked token") {
                try await replicas[1].with(token: reader).api(.GET, "/artifacts").status == 401
            }
        }
    }

    @Test func aServerWithoutTokensRefusesToListenBeyondLoopback() async throws {
        var config = ServerConfiguration(httpPort: 0, grpcPort: 0, logLevel: .critical)
        config.databaseURL = try await TestCluster.shared.freshDatabase().url
        config.httpHost = "0.0.0.0"
        do {
            _ = try await buildServer(config: config, handleSignals: false)
            Issue.record("a server without tokens started on 0.0.0.0")
        } catch let error as ProvenanceError {
            #expect(error.code == .failedPrecondition)
            #expect(error.message.contains("refusing to listen on 0.0.0.0 without authentication"))
            #expect(error.message.contains("--insecure-no-auth"))
        }
    }

    private func tokenID(named name: String, _ server: TestServer, admin: String) async throws -> Int64 {
        let tokens = try await server.with(token: admin).request(.GET, "/api/v1/tokens").json.array("tokens")
        return try #require(tokens.first { $0.string("name") == name }).int("id")
    }
}
