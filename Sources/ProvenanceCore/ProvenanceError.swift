/// The one error type of the domain.
///
/// Every layer throws it with a `Code` and a message that is safe to show to a client (it never carries SQL or a
/// stack trace); each adapter maps codes to its protocol's statuses in one place.
public struct ProvenanceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is, in the vocabulary shared by HTTP and gRPC.
    public enum Code: String, Sendable, Equatable, CaseIterable {
        /// The request is malformed or breaks a rule of the data model.
        case invalidArgument = "invalid_argument"
        /// The request carries no valid credential (none, malformed, unknown, revoked or expired).
        case unauthenticated
        /// The credential is valid but does not allow this request.
        case permissionDenied = "permission_denied"
        /// The named namespace, type or node does not exist.
        case notFound = "not_found"
        /// A unique name, external id or edge already exists, or the write would create a cycle.
        case alreadyExists = "already_exists"
        /// The stored state does not allow the request (stale revision, type mismatch on update).
        case failedPrecondition = "failed_precondition"
        /// A concurrent write got in the way; retrying the same request can succeed.
        case aborted
        /// An executor presented a lease it no longer holds (it expired, or its attempt already ended): it must stop
        /// the step and report nothing.
        case leaseLost = "lease_lost"
        /// The request body is larger than the configured limit.
        case payloadTooLarge = "payload_too_large"
        /// The database cannot be reached right now, or every connection to it is busy; retrying later can succeed.
        case unavailable
        /// The request ran longer than the server lets one statement run (`--statement-timeout`).
        case deadlineExceeded = "deadline_exceeded"
        /// The client went away (disconnected, or its deadline passed) and the work done for it was stopped.
        case cancelled
        /// A bug on our side; the message is generic on purpose.
        case `internal`
    }

    /// The failure class.
    public var code: Code
    /// A human-readable explanation naming the offending field or object.
    public var message: String
    /// Optional structured detail for clients (for example the field path).
    public var details: JSON?

    /// Creates an error.
    public init(_ code: Code, _ message: String, details: JSON? = nil) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public static func == (lhs: ProvenanceError, rhs: ProvenanceError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    /// An invalid-argument error about the field at `path`.
    public static func invalid(_ path: String, _ problem: String) -> ProvenanceError {
        ProvenanceError(.invalidArgument, path.isEmpty ? problem : "\(path): \(problem)", details: ["field": .string(path)])
    }

    /// A not-found error.
    public static func notFound(_ message: String) -> ProvenanceError {
        ProvenanceError(.notFound, message)
    }
}
