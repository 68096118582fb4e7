import ProvenanceCore

/// `GET /artifacts|executions|contexts?type=&type_version=&type_id=&name=&external_id=&uri=&filter=&order_by=
/// &page_size=&page_token=`: which nodes a listing shows, in what order. The server's listing reads it and the CLI
/// writes it, so both speak one query string.
public struct NodeListQuery: Sendable, Equatable {
    /// Only nodes of this type (by name, with `typeVersion` if given), or of `typeID`.
    public var type: String?
    public var typeVersion: String?
    public var typeID: TypeID?
    /// Only the node with this name (contexts), external id or URI (artifacts).
    public var name: String?
    public var externalID: String?
    public var uri: String?
    /// An MLMD filter query (`uri LIKE '%acme%' AND custom_properties.auc.double_value > 0.8`), kept as text: the
    /// server parses it for the kind it lists.
    public var filter: String?
    public var order: ListOrder
    public var pageSize: Int
    /// Where the page before ended (its `next_page_token`).
    public var pageToken: String?

    public init(
        type: String? = nil, typeVersion: String? = nil, typeID: TypeID? = nil, name: String? = nil, externalID: String? = nil,
        uri: String? = nil, filter: String? = nil, order: ListOrder = ListOrder(), pageSize: Int = PageRequest.defaultSize,
        pageToken: String? = nil
    ) {
        (self.type, self.typeVersion, self.typeID, self.name, self.externalID, self.uri) = (type, typeVersion, typeID, name, externalID, uri)
        (self.filter, self.order, self.pageSize, self.pageToken) = (filter, order, pageSize, pageToken)
    }

    /// Reads a listing's query, refusing a page size out of range, an unknown order or a non-integer type id.
    public init(query: QueryString) throws(ProvenanceError) {
        self.init(
            type: try query.value("type"), typeVersion: try query.value("type_version"),
            typeID: try query.integer("type_id").map(TypeID.init), name: try query.value("name"),
            externalID: try query.value("external_id"), uri: try query.value("uri"))
        if let text = try query.value("filter"), !text.isEmpty { filter = text }
        if let text = try query.value("order_by") { order = try ListOrder.parse(text) }
        if let size = try query.integer("page_size") { pageSize = try PageRequest.checkSize(Int(clamping: size)) }
        if let token = try query.value("page_token"), !token.isEmpty { pageToken = token }
    }

    /// The query a client sends.
    public var query: QueryString {
        var query = QueryString()
        query.append("page_size", String(pageSize))
        if order != ListOrder() { query.append("order_by", order.field.rawValue + (order.descending ? " desc" : " asc")) }
        if let type { query.append("type", type) }
        if let typeVersion { query.append("type_version", typeVersion) }
        if let typeID { query.append("type_id", String(typeID.rawValue)) }
        if let name { query.append("name", name) }
        if let externalID { query.append("external_id", externalID) }
        if let uri { query.append("uri", uri) }
        if let filter { query.append("filter", filter) }
        if let pageToken { query.append("page_token", pageToken) }
        return query
    }
}
