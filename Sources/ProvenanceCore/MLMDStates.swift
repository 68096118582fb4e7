/// An artifact's state, in MLMD's numbering (the stored value).
public enum ArtifactState: Int16, Sendable, CaseIterable {
    case unknown = 0, pending, live, markedForDeletion, deleted, abandoned, reference

    /// MLMD's name of the state ("MARKED_FOR_DELETION").
    public var name: String {
        switch self {
        case .unknown: "UNKNOWN"
        case .pending: "PENDING"
        case .live: "LIVE"
        case .markedForDeletion: "MARKED_FOR_DELETION"
        case .deleted: "DELETED"
        case .abandoned: "ABANDONED"
        case .reference: "REFERENCE"
        }
    }
}

/// An execution's last known state, in MLMD's numbering (the stored value).
public enum ExecutionState: Int16, Sendable, CaseIterable {
    case unknown = 0, new, running, complete, failed, cached, canceled

    /// MLMD's name of the state ("COMPLETE").
    public var name: String {
        switch self {
        case .unknown: "UNKNOWN"
        case .new: "NEW"
        case .running: "RUNNING"
        case .complete: "COMPLETE"
        case .failed: "FAILED"
        case .cached: "CACHED"
        case .canceled: "CANCELED"
        }
    }
}
