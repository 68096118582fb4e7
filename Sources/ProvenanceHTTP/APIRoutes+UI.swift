import Hummingbird
import NIOCore
import ProvenanceUI

/// The web UI at `/ui/`: its files as they are, and `index.html` for every other address under it (the pages are
/// drawn in the browser from the address, so a deep link or a reload works anywhere). `/` leads there. The files
/// hold no data and need no credential; the UI signs in to the API with a token like any other client.
extension APIRoutes {
    func registerUI(_ router: Router<APIRequestContext>) {
        let assets = UIAssets.bundled
        router.get("/") { _, _ in Response.redirect(to: "/ui/", type: .found) }
        // `/ui` and `/ui/` are one route to the router (it drops a trailing slash).
        router.get("ui") { request, _ in Self.serve(assets, path: "", request: request) }
        router.get("ui/**") { request, context in
            Self.serve(assets, path: context.parameters.getCatchAll().joined(separator: "/"), request: request)
        }
    }

    private static func serve(_ assets: UIAssets, path: String, request: Request) -> Response {
        let asset = path.isEmpty || !UIAssets.namesAFile(path) ? assets.index : assets.asset(at: path)
        guard let asset else { return notFound("/ui/\(path)") }
        var headers: HTTPFields = [
            .contentType: asset.contentType, .eTag: asset.etag, .cacheControl: "no-cache",
            .init("X-Content-Type-Options")!: "nosniff",
        ]
        if asset.contentType.hasPrefix("text/html") {
            // The pages run only the UI's own scripts and talk only to this server.
            headers[.init("Content-Security-Policy")!] =
                "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'"
        }
        if request.headers[.ifNoneMatch] == asset.etag {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }

    private static func notFound(_ path: String) -> Response {
        Response(
            status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: "\(path): the UI has no such file\n")))
    }
}
