import Foundation
import ProvenanceCore

/// The web UI's files (Site/, bundled as resources), read once into memory and served as they are: hand-written
/// HTML, CSS and JavaScript, a client of the public REST API and its event stream like any other.
public struct UIAssets: Sendable {
    /// One file, ready to send.
    public struct Asset: Sendable {
        /// The file's bytes.
        public let bytes: [UInt8]
        /// Its `Content-Type`.
        public let contentType: String
        /// A strong validator of its content (`If-None-Match` answers 304).
        public let etag: String
    }

    /// Files by their path under `/ui/` (`index.html`, `js/app.js`, ...).
    public let files: [String: Asset]

    /// The page every UI address that names no file gets (the pages are drawn in the browser).
    public var index: Asset? { files["index.html"] }

    /// The file at `path` (relative to `/ui/`, without a leading slash), if the UI has one.
    public func asset(at path: String) -> Asset? { files[path] }

    /// Whether `path` looks like a file's (its last segment has an extension): an unknown one is a 404, not the
    /// index page, so a missing script fails loudly.
    public static func namesAFile(_ path: String) -> Bool {
        path.split(separator: "/").last?.contains(".") ?? false
    }

    /// The UI bundled with this build; empty if the resource bundle is missing.
    public static let bundled: UIAssets = {
        guard let root = Bundle.module.url(forResource: "Site", withExtension: nil) else { return UIAssets(files: [:]) }
        return UIAssets(directory: root)
    }()

    /// Reads every file under `directory`.
    public init(directory: URL) {
        var files: [String: Asset] = [:]
        let base = directory.standardizedFileURL.path
        let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = walker?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                let data = try? Data(contentsOf: url)
            else { continue }
            let path = String(url.standardizedFileURL.path.dropFirst(base.count + 1))
            files[path] = Asset(bytes: Array(data), contentType: Self.contentType(of: path), etag: Self.etag(of: data))
        }
        self.files = files
    }

    private init(files: [String: Asset]) {
        self.files = files
    }

    static func contentType(of path: String) -> String {
        switch path.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "json": "application/json"
        default: "application/octet-stream"
        }
    }

    /// The content's SHA-256 (the first 32 hex digits), quoted.
    static func etag(of data: Data) -> String {
        "\"\(Digest.sha256(text: String(decoding: data, as: UTF8.self)).prefix(32))\""
    }
}
