#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import ProvenanceCore
import Synchronization

/// An exclusive lock on an embedded cluster's data directory, held by the server that runs the cluster.
///
/// Two servers started on one data directory would share its cluster, and the first to stop (or to fail, say on a
/// busy HTTP port) would stop the database under the other. The lock is a `flock` on `<data directory>.lock`: the
/// second server fails at start with an error naming the holder, and the kernel releases the lock if the holder
/// dies.
public final class DataDirectoryLock: Sendable {
    /// The lock file.
    public let path: String
    private let descriptor: Mutex<Int32?>

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = Mutex(descriptor)
    }

    /// Takes the lock of `dataDirectory`, or fails if another process (or another server in this one) holds it.
    public static func acquire(for dataDirectory: String) throws(ProvenanceError) -> DataDirectoryLock {
        let directory = URL(fileURLWithPath: dataDirectory).standardizedFileURL
        let path = directory.path + ".lock"
        try? FileManager.default.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ProvenanceError(.unavailable, "cannot open the data directory lock \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            throw ProvenanceError(
                .failedPrecondition,
                "the data directory \(directory.path) is in use by another provenance server"
                    + (holder.map { $0.isEmpty ? "" : " (process \($0))" } ?? "")
                    + "; stop it, or give this one another --data-dir")
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = pid.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        return DataDirectoryLock(path: path, descriptor: descriptor)
    }

    /// Releases the lock (once; later calls do nothing).
    public func release() {
        descriptor.withLock { descriptor in
            guard let open = descriptor else { return }
            _ = ftruncate(open, 0)
            close(open)
            descriptor = nil
        }
    }

    deinit { release() }
}
