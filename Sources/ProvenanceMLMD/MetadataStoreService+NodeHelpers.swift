import ProvenanceCore
import ProvenanceStore
import SwiftProtobuf

/// The operations every node RPC shares, written once over the three node messages.
extension MetadataStoreService {
    /// Put{Artifacts,Executions,Contexts}: creates the nodes without an id and updates those with one, all in one
    /// transaction. Returns the ids in request order.
    func putNodes<Message: MLMDNodeMessage>(
        _ messages: [Message], mask: Google_Protobuf_FieldMask?, checkUpdateTime: Bool = false, namespace: String
    ) async throws(ProvenanceError) -> [Int64] {
        let kind = Message.kind
        let updateMask = mask.flatMap { UpdateMask(paths: $0.paths) }
        var writes: [NodeWrite] = []
        for (offset, message) in messages.enumerated() {
            writes.append(
                try message.nodeWrite(field: "\(kind.plural)[\(offset)]", mask: updateMask, checkUpdateTime: checkUpdateTime))
        }
        var write = LineageWrite()
        write.setNodes(writes, of: kind)
        return try await store.write(write, namespace: namespace).ids(kind)
    }

    /// A listing with MLMD's ListOperationOptions. Without options MLMD returns every match, so every page is
    /// read; with options, one page and the token of the next.
    func listNodes<Message: MLMDNodeMessage>(
        _ message: Message.Type, options: MlMetadata_ListOperationOptions?, filter: NodeListFilter, namespace: String
    ) async throws(ProvenanceError) -> (nodes: [Message], nextPageToken: String?) {
        var filter = filter
        guard let options else {
            var page = PageRequest(size: PageRequest.maximumSize)
            var nodes: [Message] = []
            while true {
                let result = try await store.listNodes(Message.kind, namespace: namespace, filter: filter, page: page)
                nodes += result.items.map(Message.init)
                guard let next = result.next else { return (nodes, nil) }
                page.after = next
            }
        }
        let list = try MLMDListOptions(options, kind: Message.kind, filter: &filter)
        let result = try await store.listNodes(Message.kind, namespace: namespace, filter: filter, page: list.page)
        return (result.items.map(Message.init), list.nextPageToken(result))
    }

    /// The nodes with the given ids, in request order, skipping unknown ids (MLMD's Get*ByID).
    func nodes<Message: MLMDNodeMessage>(_ message: Message.Type, ids: [Int64], namespace: String)
        async throws(ProvenanceError) -> [Message]
    {
        try Validation.checkIDCount(ids.count, field: "\(Message.kind.rawValue)_ids")
        return try await store.nodes(Message.kind, ids: ids, namespace: namespace).map(Message.init)
    }

    /// Nodes of the type with this name and version; none when there is no such type (as in MLMD).
    func nodesOfType<Message: MLMDNodeMessage>(
        _ message: Message.Type, name: String, version: String?, options: MlMetadata_ListOperationOptions?,
        namespace: String
    ) async throws(ProvenanceError) -> (nodes: [Message], nextPageToken: String?) {
        try Self.checkTypeLookup(name, version)
        guard let type = try await store.type(Message.kind, named: name, version: version, namespace: namespace) else {
            return ([], nil)
        }
        return try await listNodes(Message.self, options: options, filter: NodeListFilter(typeID: type.id), namespace: namespace)
    }

    /// The node of the named type with this name, or nil (MLMD answers an empty response, not NOT_FOUND).
    func nodeOfType<Message: MLMDNodeMessage>(
        _ message: Message.Type, typeName: String, version: String?, nodeName: String, namespace: String
    ) async throws(ProvenanceError) -> Message? {
        try Self.checkTypeLookup(typeName, version)
        try Validation.checkText(nodeName, field: "\(Message.kind.rawValue)_name")
        guard let type = try await store.type(Message.kind, named: typeName, version: version, namespace: namespace) else {
            return nil
        }
        let filter = NodeListFilter(typeID: type.id, name: nodeName)
        return try await listNodes(Message.self, options: nil, filter: filter, namespace: namespace).nodes.first
    }

    /// Every node the filter selects, in id order.
    func allNodes<Message: MLMDNodeMessage>(_ message: Message.Type, filter: NodeListFilter, namespace: String)
        async throws(ProvenanceError) -> [Message]
    {
        for uri in filter.uris ?? [] { try Validation.checkText(uri, field: "uris") }
        for externalID in filter.externalIDs ?? [] { try Validation.checkText(externalID, field: "external_ids") }
        return try await listNodes(Message.self, options: nil, filter: filter, namespace: namespace).nodes
    }

    /// Rejects a type name or version no stored type can have (PostgreSQL cannot hold a NUL character).
    static func checkTypeLookup(_ name: String, _ version: String?) throws(ProvenanceError) {
        try Validation.checkText(name, field: "type_name")
        if let version { try Validation.checkText(version, field: "type_version") }
    }
}

extension MlMetadata_ListOperationOptions {
    /// The options of a request, or nil when the request left them unset.
    static func given(_ options: MlMetadata_ListOperationOptions, isSet: Bool) -> MlMetadata_ListOperationOptions? {
        isSet ? options : nil
    }
}
