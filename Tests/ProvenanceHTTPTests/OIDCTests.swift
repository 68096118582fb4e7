import Foundation
import ProvenanceCore
import ProvenanceServer
import ProvenanceTestSupport
import Testing

/// OIDC: JWTs of a configured issuer are bearer tokens, checked against the issuer's published keys and the
/// configured audience, and granted roles by their claims; every bad JWT is a 401 that says what is wrong.
@Suite struct OIDCTests {
    static let grants = """
        - {claim: groups, equals: ml-platform, role: admin, namespaces: ["*"]}
        - {claim: groups, equals: data-science, role: writer, namespaces: [default]}
        - {claim: teams, role: reader}
        """

    /// Writes the grants (and, for a file key set, the keys) and returns what points a configuration at them.
    static func settings(_ issuer: OIDCTestIssuer, keysInFile: Bool) throws -> (inout ServerConfiguration) -> Void {
        let directory = TestCluster.scratchDirectory("oidc/\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try grants.write(toFile: directory + "/grants.yaml", atomically: true, encoding: .utf8)
        if keysInFile { try issuer.jwks.write(toFile: directory + "/jwks.json", atomically: true, encoding: .utf8) }
        return { config in
            config.oidcIssuer = issuer.issuer
            config.oidcAudience = "provenance"
            config.oidcGrants = directory + "/grants.yaml"
            if keysInFile { config.oidcJWKS = directory + "/jwks.json" }
        }
    }

    @Test func jwtsAreGrantedRolesByTheirClaims() async throws {
        let issuer = OIDCTestIssuer()
        try await withTestServer(configure: try Self.settings(issuer, keysInFile: true)) { server in
            // Without a credential nothing is open: configuring an issuer turns authentication on.
            #expect(try await server.api(.GET, "/artifacts").status == 401)
            let scientist = server.with(token: try await issuer.sign(issuer.claims(groups: ["staff", "data-science"])))
            let me = try await scientist.request(.GET, "/api/v1/whoami")
            #expect(me.status == 200)
            #expect(me.json["name"] == "alice@example.com")
            #expect(me.json["source"] == "oidc")
            #expect(me.json["roles"] == ["reader", "writer"], "\(me.json)")
            #expect(try await scientist.api(.GET, "/artifacts").status == 200)
            #expect(try await scientist.request(.GET, "/api/v1/namespaces/other/artifacts").status == 403)
            #expect(try await scientist.request(.GET, "/api/v1/tokens").status == 403)
            // The first matching rule decides: an ML platform member is an admin everywhere.
            let platform = server.with(token: try await issuer.sign(issuer.claims(groups: ["ml-platform", "data-science"])))
            let made = try await platform.request(
                .POST, "/api/v1/namespaces", json: ["name": "search", "description": "made by a JWT"])
            #expect(made.status == 201 || made.status == 200, "\(made.text)")
            let audit = try await platform.request(.GET, "/api/v1/audit")
            #expect(audit.text.contains("alice@example.com"), "\(audit.text)")
            // A rule without namespaces grants those its claim names.
            var teamClaims = issuer.claims(subject: "bob")
            teamClaims.teams = ["search", "not a namespace!"]
            let team = server.with(token: try await issuer.sign(teamClaims))
            #expect(try await team.request(.GET, "/api/v1/namespaces/search/artifacts").status == 200)
            #expect(try await team.api(.GET, "/artifacts").status == 403)
        }
    }

    @Test func badJWTsAreRefusedWith401SayingWhich() async throws {
        let issuer = OIDCTestIssuer(keyIDs: ["k1", "impostor"])
        issuer.publish(only: ["k1"])
        try await withTestServer(configure: try Self.settings(issuer, keysInFile: true)) { server in
            let good = issuer.claims(groups: ["data-science"])
            let valid = try await issuer.sign(good)
            var expired = good
            expired.exp = Int(Date().timeIntervalSince1970) - 3600
            var early = good
            early.nbf = Int(Date().timeIntervalSince1970) + 3600
            var noExpiry = good
            noExpiry.exp = nil
            var foreign = good
            foreign.iss = "https://elsewhere.test"
            var nameless = good
            nameless.sub = nil
            let publicKeyAsSecret = issuer.jwks
            let cases: [(token: String, message: String)] = [
                (try await issuer.sign(expired), "expired at"),
                (try await issuer.sign(early), "is not valid before"),
                (try await issuer.sign(noExpiry), "has no expiry (exp)"),
                (try await issuer.sign(issuer.claims(audience: "someone-else", groups: ["data-science"])), "not 'provenance'"),
                (try await issuer.sign(foreign), "not https://issuer.test"),
                (try await issuer.sign(nameless), "no 'sub' claim"),
                (try await issuer.sign(issuer.claims(groups: ["visitors"])), "granted nothing"),
                (try OIDCTestIssuer.unsigned(good), "unsigned (alg: none)"),
                (try await OIDCTestIssuer.signHS256(good, secret: publicKeyAsSecret), "is signed with HS256"),
                // Signed by a key the issuer does not publish, named as itself or as the issuer's key.
                (try await issuer.sign(good, keyID: "impostor"), "key 'impostor', which the issuer does not publish"),
                (try await issuer.sign(good, keyID: "impostor", kidHeader: "k1"), "signature that does not verify"),
                (String(valid.dropLast(12)), "signature that does not verify"),
                (valid.split(separator: ".")[0] + ".e30." + valid.split(separator: ".")[2], "signature that does not verify"),
                ("bm90IGpzb24.e30.c2ln", "malformed: its header is not base64url-encoded JSON"),
            ]
            for (token, message) in cases {
                let reply = try await server.with(token: token).api(.GET, "/artifacts")
                #expect(reply.status == 401, "\(message): \(reply.text)")
                #expect(reply.errorMessage.contains(message), "\(message): \(reply.errorMessage)")
            }
            #expect(try await server.with(token: valid).api(.GET, "/artifacts").status == 200)
        }
    }

    @Test func keysComeFromTheIssuersDiscoveryDocumentAndFollowRotation() async throws {
        try await OIDCTestIssuer.serving { issuer in
            try await withTestServer(configure: try Self.settings(issuer, keysInFile: false)) { server in
                let claims = issuer.claims(groups: ["data-science"])
                let before = try await issuer.sign(claims, keyID: "k1")
                #expect(try await server.with(token: before).api(.GET, "/artifacts").status == 200)
                // The issuer rotates to k2 and stops publishing k1: a JWT of k2 works at once (its unknown key id
                // makes the server fetch the keys again), and one of k1 no longer does.
                issuer.addKey("k2")
                issuer.publish(only: ["k2"])
                let after = try await issuer.sign(claims, keyID: "k2")
                #expect(try await server.with(token: after).api(.GET, "/artifacts").status == 200)
                let retired = try await server.with(token: before).api(.GET, "/artifacts")
                #expect(retired.status == 401)
                #expect(retired.errorMessage.contains("key 'k1', which the issuer does not publish"), "\(retired.errorMessage)")
            }
        }
    }

    @Test func oidcSettingsThatMakeNoSenseAreRefusedAtStart() async throws {
        let directory = TestCluster.scratchDirectory("oidc/\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "- {claim: groups, role: overlord}\n".write(toFile: directory + "/bad.yaml", atomically: true, encoding: .utf8)
        try "[]\n".write(toFile: directory + "/empty.yaml", atomically: true, encoding: .utf8)
        try "{\"keys\": 3}".write(toFile: directory + "/jwks.json", atomically: true, encoding: .utf8)
        let cases: [((inout ServerConfiguration) -> Void, String)] = [
            ({ $0.oidcAudience = "provenance" }, "--oidc-audience: needs --oidc-issuer"),
            ({ $0.oidcIssuer = "https://issuer.test"; $0.oidcGrants = directory + "/empty.yaml" }, "--oidc-audience: is required"),
            ({ $0.oidcIssuer = "https://issuer.test"; $0.oidcAudience = "p" }, "--oidc-grants: is required"),
            ({ $0.oidcIssuer = "https://issuer.test"; $0.oidcAudience = "p"; $0.oidcGrants = directory + "/bad.yaml" },
             "[0].role"),
            ({
                $0.oidcIssuer = "https://issuer.test"; $0.oidcAudience = "p"; $0.oidcGrants = directory + "/empty.yaml"
                $0.oidcJWKS = directory + "/jwks.json"
            }, "is not a JSON Web Key Set"),
            ({
                $0.oidcIssuer = "https://issuer.test"; $0.oidcAudience = "p"; $0.oidcGrants = directory + "/empty.yaml"
                $0.oidcJWKS = directory + "/missing.json"
            }, "cannot be read"),
        ]
        for (configure, message) in cases {
            var config = ServerConfiguration(httpPort: 0, grpcPort: 0, logLevel: .critical)
            config.databaseURL = try await TestCluster.shared.freshDatabase().url
            configure(&config)
            await #expect(performing: { _ = try await buildServer(config: config, handleSignals: false) }, throws: { error in
                let text = (error as? ProvenanceError)?.message ?? "\(error)"
                return text.contains(message)
            })
        }
    }
}
