import ProvenanceCore

/// A request or response body of the REST API, read from and written as its JSON by the server's routes and the
/// clients alike, so the two can never disagree on its envelope or field names.
public protocol WireMessage: Sendable, Equatable {
    /// Reads the message, refusing what is malformed with the field that is wrong.
    init(json: JSON) throws(ProvenanceError)
    /// The message as JSON.
    var json: JSON { get }
}

/// A value the server stored, and whether this request stored it (201) or found it stored already (200).
public struct Applied<Value: Sendable & Equatable>: Sendable, Equatable {
    public var value: Value
    public var created: Bool

    public init(_ value: Value, created: Bool) {
        self.value = value
        self.created = created
    }
}

/// One page of a listing, with the token that continues it (nil on the last page).
public struct ListPage<Item: Sendable & Equatable>: Sendable, Equatable {
    public var items: [Item]
    public var nextPageToken: String?

    public init(items: [Item], nextPageToken: String?) {
        self.items = items
        self.nextPageToken = nextPageToken
    }
}
