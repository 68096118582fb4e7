import ProvenanceCore
import ProvenanceTestSupport
import Testing

/// Digests became SHA-256: what was stored under the old 16-digit digests keeps working, and only ever stops
/// matching, never matches something else.
@Suite struct DigestCompatibilityTests {
    static let spec: JSON = ["name": "p", "steps": ["m": ["component": "produce@1", "parameters": ["rows": 3]]]]

    @Test func aVersionStoredUnderAnOldDigestStaysAddressableAndTheSameSpecAgainIsAVersionUnderItsSHA256() async throws {
        try await withTestServer { server in
            try await createOneStepPipeline(server)
            let listed = try await server.api(.GET, "/pipelines/p/versions")
            let digest = try #require(listed.json.array("versions").first?.string("version"), "\(listed.json)")
            #expect(digest.count == 64 && digest.allSatisfy(\.isHexDigit))
            #expect(try await server.api(.GET, "/pipelines/p/versions/\(digest)").status == 200)

            let session = try await DatabaseSession.open(server.server.store)
            try await session.execute("UPDATE pipeline_versions SET digest = '00000000deadbeef'")
            await session.close()
            let old = try await server.api(.GET, "/pipelines/p/versions/00000000deadbeef")
            #expect(old.status == 200, "\(old.json)")
            #expect(try await server.api(.GET, "/pipelines/p/versions/\(digest)").status == 404)

            let again = try await server.api(.POST, "/pipelines", json: Self.spec)
            #expect(again.status == 201, "\(again.json)")
            #expect(again.json.string("version") == digest)
            let versions = try await server.api(.GET, "/pipelines/p/versions").json.array("versions").compactMap { $0.string("version") }
            #expect(Set(versions) == [digest, "00000000deadbeef"])
        }
    }
}
