import Foundation

/// A generated part of the README, between two marker comments, as the README holds it now.
public enum ReadmeSection {
    /// The README's text between `begin` and `end` (trimmed), or nil when a marker is missing.
    public static func text(begin: String, end: String) throws -> String? {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../README.md")
            .standardizedFileURL
        let readme = try String(contentsOf: url, encoding: .utf8)
        guard let start = readme.range(of: begin), let stop = readme.range(of: end) else { return nil }
        return readme[start.upperBound..<stop.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
