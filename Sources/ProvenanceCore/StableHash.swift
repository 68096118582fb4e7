/// FNV-1a over UTF-8: a hash that is the same in every process and on every machine (Swift's `Hasher` is seeded
/// per process), for what only has to spread values, never to decide identity (the benchmarks' generated data).
/// Identity is `Digest`'s (SHA-256).
public enum StableHash {
    /// The 64-bit FNV-1a hash of `text`.
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    /// The checksum migrations were recorded with before checksums were SHA-256 (hex FNV-1a), so a database
    /// migrated then is recognised, not taken for one whose migrations were edited.
    public static func legacyChecksum(_ text: String) -> String {
        String(fnv1a64(text), radix: 16)
    }
}
