import GRPCCore
import GRPCProtobuf
import SwiftProtobuf

/// Decodes a request message, first refusing one over `limit` bytes with RESOURCE_EXHAUSTED. The transport's own
/// limit (set higher, see `makeMLMDService`) only resets the stream, which clients report as a cancelled or
/// unavailable call rather than as the size problem it is.
struct SizeLimitedDeserializer<Message: SwiftProtobuf.Message>: MessageDeserializer {
    let limit: Int

    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Message {
        guard serializedMessageBytes.count <= limit else {
            throw RPCError(
                code: .resourceExhausted,
                message: "the request message has \(serializedMessageBytes.count) bytes; the limit is \(limit)")
        }
        return try ProtobufDeserializer<Message>().deserialize(serializedMessageBytes)
    }
}
