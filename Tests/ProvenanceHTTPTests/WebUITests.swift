import Foundation
import ProvenanceCore
import ProvenanceTestSupport
import ProvenanceUI
import Testing

/// The web UI's files as the server sends them (what the pages do is the browser suite's part, scripts/ui/).
@Suite struct WebUITests {
    @Test func everyUIAddressGetsThePageAndFilesGoOutAsTheyAreWithoutAToken() async throws {
        try await withTestServer { server in
            // With a token made, the API asks for one; the UI's files hold no data and do not.
            _ = try await TokenMaker(server: server).make("admin", in: ["*"])
            #expect(try await server.api(.GET, "/runs").status == 401)
            for path in ["/ui/", "/ui", "/ui/ns/default/runs/12", "/ui/ns/default/artifacts/3?lineage=upstream", "/"] {
                let page = try await server.request(.GET, path)
                #expect(page.status == 200, "\(path)")
                #expect(page.headers.first(name: "Content-Type") == "text/html; charset=utf-8", "\(path)")
                #expect(page.text.contains("<script type=\"module\" src=\"/ui/js/main.js\">"), "\(path)")
                #expect(page.headers.first(name: "Content-Security-Policy")?.contains("default-src 'self'") == true)
            }
            let script = try await server.request(.GET, "/ui/js/main.js")
            #expect(script.status == 200)
            #expect(script.headers.first(name: "Content-Type") == "text/javascript; charset=utf-8")
            let etag = try #require(script.headers.first(name: "ETag"))
            #expect(try await server.request(.GET, "/ui/js/main.js", headers: [("If-None-Match", etag)]).status == 304)
            #expect(try await server.request(.GET, "/ui/app.css").headers.first(name: "Content-Type") == "text/css; charset=utf-8")
            let missing = try await server.request(.GET, "/ui/js/missing.js")
            #expect(missing.status == 404, "a missing file is not answered with the page")
            #expect(missing.text.contains("/ui/js/missing.js"))
        }
    }

    /// Every module a script imports is a file of the bundle, so no page fails on a missing or misnamed import.
    @Test func everyImportOfEveryScriptIsAFileOfTheBundle() throws {
        let files = UIAssets.bundled.files
        let scripts = files.keys.filter { $0.hasSuffix(".js") }
        #expect(scripts.count >= 10)
        let importPattern = try Regex(#"(?m)^import\s[^;]*?from\s+"(\.[^"]+)";"#)
        for script in scripts {
            let text = String(decoding: files[script]!.bytes, as: UTF8.self)
            let directory = URL(fileURLWithPath: "/" + script).deletingLastPathComponent()
            for match in text.matches(of: importPattern) {
                let reference = String(match.output[1].substring!)
                let resolved = String(directory.appendingPathComponent(reference).standardized.path.dropFirst())
                #expect(files[resolved] != nil, "\(script) imports \(reference), which the bundle does not hold")
            }
        }
        #expect(UIAssets.namesAFile("js/main.js"))
        #expect(!UIAssets.namesAFile("ns/default/runs/12"))
    }
}
