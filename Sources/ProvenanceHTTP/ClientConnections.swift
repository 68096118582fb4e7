import NIOCore
import ProvenanceCore
import Synchronization

/// What is known of each open HTTP connection, by channel: the cancellation signal its `ConnectionGuard` fires
/// when the client goes away, and the subject of the client certificate its TLS handshake verified. (Hummingbird
/// builds a request context from the channel alone, hence a process-wide table; a channel is in it from its first
/// handler to its close.)
final class ClientConnections: Sendable {
    /// The table of every HTTP listener in the process.
    static let shared = ClientConnections()

    /// One connection's entry.
    struct Connection: Sendable {
        var cancellation: RequestCancellation
        var certificateSubject: String?
    }

    private let connections = Mutex<[ObjectIdentifier: Connection]>([:])

    func register(_ cancellation: RequestCancellation, for channel: any Channel) {
        connections.withLock { $0[ObjectIdentifier(channel)] = Connection(cancellation: cancellation) }
    }

    /// Records the subject of the client certificate `channel`'s handshake verified.
    func setCertificateSubject(_ subject: String, for channel: any Channel) {
        connections.withLock { $0[ObjectIdentifier(channel)]?.certificateSubject = subject }
    }

    func unregister(_ channel: any Channel) {
        _ = connections.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// `channel`'s entry, if a guard watches it.
    func connection(of channel: any Channel) -> Connection? {
        connections.withLock { $0[ObjectIdentifier(channel)] }
    }
}
