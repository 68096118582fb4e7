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
/// dies. A clean stop removes the file. Because a file can be removed while another process waits to open or lock
/// it, a lock counts only if the file it locked is still the one at the path (same inode) once locked.
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
        var descriptor: Int32
        repeat {
            descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
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
            // The holder we waited behind may have removed the file before we locked it: lock the new one instead.
            if isStillAtPath(descriptor, path) { break }
            close(descriptor)
        } while true
        let pid = "\(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = pid.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        return DataDirectoryLock(path: path, descriptor: descriptor)
    }

    /// Releases the lock and removes its file (once; later calls do nothing).
    public func release() {
        descriptor.withLock { descriptor in
            guard let open = descriptor else { return }
            unlink(path)
            close(open)
            descriptor = nil
        }
    }

    /// Whether `descriptor` is the file now at `path` (not one removed meanwhile).
    private static func isStillAtPath(_ descriptor: Int32, _ path: String) -> Bool {
        var opened = stat()
        var named = stat()
        guard fstat(descriptor, &opened) == 0, stat(path, &named) == 0 else { return false }
        return opened.st_ino == named.st_ino && opened.st_dev == named.st_dev
    }

    deinit { release() }
}
