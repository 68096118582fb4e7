import NIOCore
import ProvenanceCore

/// The stored form of a chunk of metric points (`metric_chunks.points`): each point as its step (int64), value
/// (float64 bits) and time in milliseconds (int64), little-endian, 24 bytes, in the order written.
enum MetricChunkCodec {
    static let bytesPerPoint = 24

    static func encode(_ points: [StoredMetricPoint]) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: points.count * bytesPerPoint)
        for point in points {
            buffer.writeInteger(point.step, endianness: .little)
            buffer.writeInteger(point.value.bitPattern, endianness: .little)
            buffer.writeInteger(point.time, endianness: .little)
        }
        return buffer
    }

    static func decode(_ buffer: ByteBuffer) throws(ProvenanceError) -> [StoredMetricPoint] {
        var buffer = buffer
        guard buffer.readableBytes % bytesPerPoint == 0 else {
            throw ProvenanceError(.internal, "a stored metric chunk of \(buffer.readableBytes) bytes is not whole points")
        }
        var points: [StoredMetricPoint] = []
        points.reserveCapacity(buffer.readableBytes / bytesPerPoint)
        while let step = buffer.readInteger(endianness: .little, as: Int64.self),
            let bits = buffer.readInteger(endianness: .little, as: UInt64.self),
            let time = buffer.readInteger(endianness: .little, as: Int64.self)
        {
            points.append(StoredMetricPoint(step: step, value: Double(bitPattern: bits), time: time))
        }
        return points
    }
}
