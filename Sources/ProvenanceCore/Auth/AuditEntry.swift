/// Who did something, for the audit log: a principal's name and how it proved itself, and the client's address.
public struct AuditActor: Sendable, Hashable {
    /// The principal's name (never a secret).
    public var name: String
    /// How it authenticated (`token`, `oidc`, `certificate`, `open`, or `cli` for the command run on the database).
    public var source: String
    /// The client's address, when the change came over the network.
    public var address: String?

    /// Creates an actor.
    public init(name: String, source: String, address: String?) {
        self.name = name
        self.source = source
        self.address = address
    }

    /// The actor of a request by `principal` from `address`.
    public init(_ principal: Principal, address: String?) {
        self.init(name: principal.name, source: principal.source.rawValue, address: address)
    }

    /// Someone running `provenance tokens` on the database's machine.
    public static func commandLine(user: String) -> AuditActor {
        AuditActor(name: user, source: "cli", address: nil)
    }

    /// The server itself (its local executor's token).
    public static let server = AuditActor(name: "provenance", source: "server", address: nil)
}

/// One change the audit log records: append-only, written in the transaction of the change it records.
public struct AuditEntry: Sendable {
    /// The stored id (monotonic).
    public var id: Int64
    /// When, microseconds since the Unix epoch.
    public var time: Int64
    /// Who.
    public var actor: AuditActor
    /// What (`token.create`, `token.revoke`, `namespace.create`, `run.cancel`, `run.retry`, `schedule.create`,
    /// `schedule.update`, `schedule.pause`, `schedule.resume`, `schedule.delete`).
    public var action: String
    /// The namespaces it concerns; all for changes to the whole server.
    public var namespaces: NamespaceScope
    /// What it happened to (`token 7`, `run 42`).
    public var target: String
    /// Anything else worth keeping, as JSON.
    public var details: JSON

    /// Creates an entry.
    public init(
        id: Int64, time: Int64, actor: AuditActor, action: String, namespaces: NamespaceScope, target: String, details: JSON
    ) {
        self.id = id
        self.time = time
        self.actor = actor
        self.action = action
        self.namespaces = namespaces
        self.target = target
        self.details = details
    }
}
