/// Splits a step's output into log lines as it arrives, whatever its shape: a line ends at `\n`, `\r\n` or `\r`
/// (each redraw of a progress bar is a line of its own), and a line longer than `maximumLength` bytes is cut into
/// pieces of at most that length, at a character boundary. So no output, however long its lines, fails a step or
/// grows the executor's memory; the server keeps lines of up to the same length (`PostgresStore.maximumLogLine`).
struct OutputLines {
    /// The longest piece of a line sent as one log line, in bytes.
    static let maximumLength = 16 * 1024

    private var pending: [UInt8] = []
    private var afterCarriageReturn = false

    /// The lines `bytes` complete (with what came before them).
    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if afterCarriageReturn {
                afterCarriageReturn = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            switch byte {
            case UInt8(ascii: "\n"):
                lines.append(take(pending.count))
            case UInt8(ascii: "\r"):
                lines.append(take(pending.count))
                afterCarriageReturn = true
            default:
                pending.append(byte)
                if pending.count >= Self.maximumLength { lines.append(take(Self.cut(pending))) }
            }
        }
        return lines
    }

    /// The last line, if the output did not end with a line break.
    mutating func finish() -> [String] {
        pending.isEmpty ? [] : [take(pending.count)]
    }

    /// The first `count` pending bytes as a line (invalid UTF-8 replaced).
    private mutating func take(_ count: Int) -> String {
        let line = String(decoding: pending[..<count], as: UTF8.self)
        pending.removeFirst(count)
        return line
    }

    /// Where to cut a full buffer: before its last character if that character's bytes are not all here yet, so
    /// a character is never split across two lines.
    static func cut(_ bytes: [UInt8]) -> Int {
        // The start of the last character: back over at most three continuation bytes (10xxxxxx).
        var start = bytes.count - 1
        while start > 0, bytes.count - start < 4, bytes[start] & 0xC0 == 0x80 { start -= 1 }
        let lead = bytes[start]
        let length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        return bytes.count - start >= length || start == 0 ? bytes.count : start
    }
}
