/// The fencing token of one attempt: the task, the attempt's number and a secret issued with the lease.
/// Heartbeat, complete and fail change the attempt only where all three match and it is still running, so an
/// executor that lost its lease (expired while it was paused, say) can never complete the task a second time.
public struct LeaseToken: Sendable, Hashable, CustomStringConvertible {
    /// The task leased.
    public var taskID: TaskID
    /// The attempt's number (1 for the first).
    public var attempt: Int
    /// A random secret issued with the lease.
    public var secret: String

    /// Creates a token.
    public init(taskID: TaskID, attempt: Int, secret: String) {
        self.taskID = taskID
        self.attempt = attempt
        self.secret = secret
    }

    /// Reads `TASK.ATTEMPT.SECRET`; anything else is an error at `field`.
    public init(parsing text: String, field: String = "token") throws(ProvenanceError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let task = Int64(parts[0]), task > 0, let attempt = Int(parts[1]), attempt > 0,
            parts[2].count >= 16, parts[2].allSatisfy({ $0.isHexDigit })
        else { throw .invalid(field, "is not a lease token this server issued") }
        self.init(taskID: TaskID(task), attempt: attempt, secret: String(parts[2]))
    }

    /// `TASK.ATTEMPT.SECRET`, as executors hold it.
    public var description: String { "\(taskID.rawValue).\(attempt).\(secret)" }

    /// A new random secret (128 bits, hex).
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let value = generator.next()
            let hex = String(value, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}
