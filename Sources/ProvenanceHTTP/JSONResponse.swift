import Hummingbird
import NIOCore
import ProvenanceAPI
import ProvenanceCore

/// JSON bodies in and out.
enum JSONResponse {
    /// A response with a JSON body.
    static func make(_ json: JSON, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        let bytes = JSONWriter.bytes(json)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Reads and parses a request body, at most `limit` bytes; malformed JSON is a 400 naming line and column.
    static func body(of request: Request, limit: Int) async throws -> JSON {
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        guard buffer.readableBytes > 0 else { throw ProvenanceError.invalid("", "the request body is empty; expected JSON") }
        return try buffer.withUnsafeReadableBytes { bytes throws(ProvenanceError) in try JSONParser.parse(bytes) }
    }

    /// Reads a spec (a component or a pipeline): JSON, or YAML by its content type or by not starting with `{`.
    static func spec(of request: Request, limit: Int) async throws -> JSON {
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        guard buffer.readableBytes > 0 else { throw ProvenanceError.invalid("", "the request body is empty; expected a spec") }
        return try SpecDocument.parse(Array(buffer.readableBytesView), contentType: request.headers[.contentType])
    }
}
