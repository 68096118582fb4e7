/// Opaque page tokens: a cursor bound to the query it came from.
///
/// The token carries a fingerprint of the query (filters and order). Reusing it with another query is a client
/// error, not a silently wrong page. Tokens are not secrets: they only say where a page ends.
public enum PageToken {
    /// Encodes a cursor for the query described by `fingerprint`.
    public static func encode(_ cursor: PageCursor, fingerprint: String) -> String {
        let text = JSONWriter.string([
            "v": .int(cursor.value), "i": .int(cursor.id), "q": .int(Int64(bitPattern: hash(fingerprint))),
        ])
        return Base64.encode(Array(text.utf8)).replacing("+", with: "-").replacing("/", with: "_")
            .replacing("=", with: "")
    }

    /// Decodes a token, checking it belongs to the query described by `fingerprint`.
    public static func decode(_ token: String, fingerprint: String, field: String = "page_token") throws(ProvenanceError)
        -> PageCursor
    {
        guard let bytes = Base64.decode(token), let json = try? JSONParser.parse(bytes),
            case .int(let value)? = json["v"], case .int(let id)? = json["i"], case .int(let query)? = json["q"]
        else {
            throw .invalid(field, "is not a page token this server issued")
        }
        guard UInt64(bitPattern: query) == hash(fingerprint) else {
            throw .invalid(field, "belongs to a different query; repeat the filter and order of the request that issued it")
        }
        return PageCursor(value: value, id: id)
    }

    /// The binding of a token to its query: the first 8 bytes of the SHA-256 of the query's fingerprint.
    static func hash(_ text: String) -> UInt64 {
        Digest.sha256Prefix64 { encoding in
            encoding.append("page-token/1")
            encoding.append(text)
        }
    }
}
