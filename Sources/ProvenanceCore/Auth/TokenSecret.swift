import Crypto

/// The secret of an API token, as its holder sends it (`prov_` and 43 URL-safe base64 characters: 256 random bits).
///
/// The server keeps only its SHA-256 digest, so a copy of the database hands out no credential, and a short
/// prefix of it (`prov_AbCdEfGh`) that lets people tell their tokens apart in lists and the audit log.
public struct TokenSecret: Sendable, Hashable {
    /// What every token begins with, so secret scanners and people can recognise one.
    public static let prefix = "prov_"
    /// How many characters of the secret (after `prov_`) the listing shows.
    static let displayedCharacters = 8

    /// The token as sent.
    public let text: String

    /// A new random secret.
    public static func generate() -> TokenSecret {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let encoded = Base64.encode(bytes).replacing("+", with: "-").replacing("/", with: "_").replacing("=", with: "")
        return TokenSecret(unchecked: prefix + encoded)
    }

    private init(unchecked text: String) {
        self.text = text
    }

    /// Reads a token as a client sent it. `nil` when it cannot be one of ours (another kind of bearer token, such
    /// as a JWT); an error when it claims to be ours (`prov_`) but is malformed or truncated.
    public init?(presented text: String) throws(ProvenanceError) {
        guard text.hasPrefix(Self.prefix) else { return nil }
        let body = text.utf8.dropFirst(Self.prefix.utf8.count)
        let isBase64URL = body.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
        guard body.count == 43, isBase64URL else {
            throw ProvenanceError(
                .unauthenticated, "the API token is malformed or truncated (expected prov_ and 43 characters)")
        }
        self.text = text
    }

    /// The SHA-256 digest the server stores and looks tokens up by.
    public var digest: [UInt8] { Array(SHA256.hash(data: Array(text.utf8))) }

    /// The part shown in listings: the prefix and the secret's first characters.
    public var displayPrefix: String { String(text.prefix(Self.prefix.count + Self.displayedCharacters)) }
}
