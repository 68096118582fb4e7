/// The field a list is ordered by.
public enum OrderField: String, Sendable, CaseIterable {
    case id
    case createTime = "create_time"
    case updateTime = "update_time"
}

/// Ordering of a list: a field and a direction; ties break by id in the same direction.
public struct ListOrder: Sendable, Equatable {
    /// The field.
    public var field: OrderField
    /// Newest or largest first.
    public var descending: Bool

    /// Creates an order.
    public init(field: OrderField = .id, descending: Bool = false) {
        self.field = field
        self.descending = descending
    }

    /// Parses `id`, `create_time desc`, `-update_time`, `update_time asc` (MLMD's field names are accepted too).
    public static func parse(_ text: String, field: String = "order_by") throws(ProvenanceError) -> ListOrder {
        var words = text.split(separator: " ").map { $0.lowercased() }
        var descending = false
        if words.count == 2 {
            guard words[1] == "asc" || words[1] == "desc" else {
                throw .invalid(field, "direction must be 'asc' or 'desc', got '\(words[1])'")
            }
            descending = words[1] == "desc"
            words.removeLast()
        }
        guard words.count == 1 else { throw .invalid(field, "expected '<field> [asc|desc]'") }
        var name = words[0]
        if name.hasPrefix("-") {
            descending = true
            name.removeFirst()
        }
        let aliases: [String: OrderField] = [
            "id": .id, "create_time": .createTime, "create_time_since_epoch": .createTime,
            "update_time": .updateTime, "last_update_time": .updateTime, "last_update_time_since_epoch": .updateTime,
        ]
        guard let order = aliases[name] else {
            throw .invalid(field, "cannot order by '\(name)'; use id, create_time or update_time")
        }
        return ListOrder(field: order, descending: descending)
    }
}

/// A page request: size, continuation and order.
public struct PageRequest: Sendable, Equatable {
    /// Default number of items per page.
    public static let defaultSize = 20
    /// Largest page size; larger requests are rejected, not silently capped.
    public static let maximumSize = 1000

    /// Items per page.
    public var size: Int
    /// Where the previous page ended, if continuing.
    public var after: PageCursor?
    /// The ordering.
    public var order: ListOrder

    /// Creates a page request.
    public init(size: Int = PageRequest.defaultSize, after: PageCursor? = nil, order: ListOrder = .init()) {
        self.size = size
        self.after = after
        self.order = order
    }

    /// Checks a client's page size.
    public static func checkSize(_ size: Int, field: String = "page_size") throws(ProvenanceError) -> Int {
        guard (1...maximumSize).contains(size) else {
            throw .invalid(field, "must be between 1 and \(maximumSize), got \(size)")
        }
        return size
    }
}

/// The position after the last item of a page: its order value and id (keyset pagination).
public struct PageCursor: Sendable, Equatable {
    /// The last item's value of the order field (the id itself when ordering by id).
    public var value: Int64
    /// The last item's id.
    public var id: Int64

    /// Creates a cursor.
    public init(value: Int64, id: Int64) {
        self.value = value
        self.id = id
    }
}

/// One page of results.
public struct Page<Item: Sendable>: Sendable {
    /// The items.
    public var items: [Item]
    /// Where the next page starts, or nil on the last page.
    public var next: PageCursor?

    /// Creates a page.
    public init(items: [Item], next: PageCursor?) {
        self.items = items
        self.next = next
    }
}
