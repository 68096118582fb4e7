import NIOCore
import ProvenanceCore
import Synchronization

/// The cancellation signal of each open HTTP connection, by channel, so a request's context can find the signal
/// its connection's `ConnectionGuard` fires when the client goes away. (Hummingbird builds a request context from
/// the channel alone, hence a process-wide table; a channel is in it from its first handler to its close.)
final class ClientConnections: Sendable {
    /// The table of every HTTP listener in the process.
    static let shared = ClientConnections()

    private let signals = Mutex<[ObjectIdentifier: RequestCancellation]>([:])

    func register(_ cancellation: RequestCancellation, for channel: any Channel) {
        signals.withLock { $0[ObjectIdentifier(channel)] = cancellation }
    }

    func unregister(_ channel: any Channel) {
        _ = signals.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// The signal of `channel`'s connection, if a guard watches it.
    func cancellation(of channel: any Channel) -> RequestCancellation? {
        signals.withLock { $0[ObjectIdentifier(channel)] }
    }
}
