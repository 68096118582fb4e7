#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Memory and CPU figures of this process, for `GET /metrics`. Memory comes from /proc/self/statm on Linux;
/// elsewhere it is reported as absent rather than guessed.
enum ProcessMetrics {
    #if canImport(Glibc)
    private static let rusageSelf = __rusage_who_t(RUSAGE_SELF.rawValue)
    #else
    private static let rusageSelf = RUSAGE_SELF
    #endif

    /// User plus system CPU time this process has used, in seconds.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        guard getrusage(rusageSelf, &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Resident and virtual memory in bytes, or nil where /proc is not available.
    static func memory() -> (resident: Int, virtual: Int)? {
        guard let text = readSmallFile("/proc/self/statm") else { return nil }
        let fields = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard fields.count >= 2 else { return nil }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        return (resident: fields[1] * page, virtual: fields[0] * page)
    }

    private static func readSmallFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 256)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return nil }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
