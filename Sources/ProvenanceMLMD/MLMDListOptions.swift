import ProvenanceCore
import ProvenanceStore

/// MLMD's ListOperationOptions as a page request: max_result_size, order_by_field, next_page_token and
/// filter_query (parsed by the same filter grammar as REST's `filter=`).
struct MLMDListOptions {
    /// The page to read.
    var page: PageRequest
    /// The fingerprint binding page tokens to the query that issued them.
    var fingerprint: String

    /// Reads `options` for a list of `kind`, adding its filter query to `filter`. A page size above the largest
    /// page is lowered to it, as MLMD lowers sizes above its own limit.
    init(_ options: MlMetadata_ListOperationOptions, kind: NodeKind, filter: inout NodeListFilter)
        throws(ProvenanceError)
    {
        page = PageRequest()
        guard options.maxResultSize > 0 else {
            throw .invalid("options.max_result_size", "must be positive, got \(options.maxResultSize)")
        }
        page.size = min(Int(options.maxResultSize), PageRequest.maximumSize)
        let order = options.orderByField
        switch order.field {
        case .createTime: page.order.field = .createTime
        case .lastUpdateTime: page.order.field = .updateTime
        case .id, .unspecified: page.order.field = .id
        }
        page.order.descending = !order.isAsc
        if options.hasFilterQuery && !options.filterQuery.isEmpty {
            let query = try Filter.parse(options.filterQuery, kind: kind, field: "options.filter_query")
            filter.query = query
        }
        fingerprint = "mlmd|\(kind.rawValue)|\(filter.fingerprint)|\(page.order.field.rawValue)|\(page.order.descending)"
        if options.hasNextPageToken && !options.nextPageToken.isEmpty {
            page.after = try PageToken.decode(options.nextPageToken, fingerprint: fingerprint, field: "options.next_page_token")
        }
    }

    /// The token of the page after `page`, or nil on the last page.
    func nextPageToken<Item>(_ page: Page<Item>) -> String? {
        page.next.map { PageToken.encode($0, fingerprint: fingerprint) }
    }
}
