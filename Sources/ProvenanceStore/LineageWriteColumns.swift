import PostgresNIO
import ProvenanceCore

/// A column of rows passed to the composite write as an array parameter: its name in the statement and the SQL
/// type of its elements.
struct SQLColumn: Sendable {
    let name: String
    let type: String
}

/// The rows of one node kind in a composite write, column by column. Every row fills every column it binds (NULL
/// where it has no value), so the arrays stay aligned and `unnest` turns them back into rows.
struct NodeColumns: Sendable {
    var typeID = SQLArray<Int64>()
    var name = SQLArray<String>()
    var externalID = SQLArray<String>()
    var uri = SQLArray<String>()
    var state = SQLArray<Int16>()
    /// Tagged property maps as JSON text (NULL for an empty map).
    var properties = SQLArray<String>()
    var customProperties = SQLArray<String>()
    /// The columns of updates to stored nodes, filled only as far as the last update: most writes create nodes
    /// only, and their statement does not read these.
    private var updates = UpdateColumns()
    private(set) var rowCount = 0

    /// The columns every statement reads, in binding order.
    static let created = [
        SQLColumn(name: "type_id", type: "int8"), SQLColumn(name: "name", type: "text"),
        SQLColumn(name: "external_id", type: "text"), SQLColumn(name: "uri", type: "text"),
        SQLColumn(name: "state", type: "int2"), SQLColumn(name: "properties", type: "text"),
        SQLColumn(name: "custom_properties", type: "text"),
    ]

    /// The columns only the statement that updates stored nodes reads, bound after `created`.
    static let updated = UpdateColumns.columns

    /// Appends the columns as parameters in the order of `created`, then (with `updates`) of `updated`.
    func bind(into bindings: inout PostgresBindings, updates bindUpdates: Bool) {
        bindings.append(typeID)
        bindings.append(name)
        bindings.append(externalID)
        bindings.append(uri)
        bindings.append(state)
        bindings.append(properties)
        bindings.append(customProperties)
        guard bindUpdates else { return }
        var updates = updates
        updates.padWithNulls(to: rowCount)
        updates.bind(into: &bindings)
    }

    /// Appends a new node (its type resolved and its properties checked).
    mutating func appendCreated(
        _ draft: NodeDraft, typeID: TypeID, properties: [String: PropertyValue], custom: [String: PropertyValue]
    ) {
        self.typeID.append(typeID.rawValue)
        name.append(draft.name)
        externalID.append(draft.externalID)
        uri.append(draft.uri)
        state.append(draft.state ?? (draft.kind.stateField == nil ? nil : 0))
        self.properties.append(Self.json(properties))
        customProperties.append(Self.json(custom))
        rowCount += 1
    }

    /// Appends an update of stored node `id` (its new properties checked against its type).
    mutating func appendUpdate(
        id: Int64, _ patch: NodePatch, properties: [String: PropertyValue], custom: [String: PropertyValue]
    ) {
        typeID.append(nil)
        name.append(Self.value(patch.name))
        externalID.append(Self.value(patch.externalID))
        uri.append(Self.value(patch.uri))
        state.append(Self.value(patch.state))
        self.properties.append(Self.json(properties))
        customProperties.append(Self.json(custom))
        updates.padWithNulls(to: rowCount)
        updates.append(id: id, patch)
        rowCount += 1
    }

    /// Appends the rows of `other`, which holds created nodes only.
    mutating func append(_ other: NodeColumns) {
        precondition(other.updates.id.count == 0, "only writes of new nodes share a statement")
        typeID.append(other.typeID)
        name.append(other.name)
        externalID.append(other.externalID)
        uri.append(other.uri)
        state.append(other.state)
        properties.append(other.properties)
        customProperties.append(other.customProperties)
        rowCount += other.rowCount
    }

    /// A property map as tagged JSON text, or NULL (which the statement reads as `{}`) when it is empty.
    private static func json(_ map: [String: PropertyValue]) -> String? {
        map.isEmpty ? nil : PropertyMap.taggedJSONText(map)
    }

    private static func value<T>(_ update: FieldUpdate<T>) -> T? {
        guard case .set(let value?) = update else { return nil }
        return value
    }
}

/// The columns that only updates of stored nodes fill.
struct UpdateColumns: Sendable {
    var id = SQLArray<Int64>()
    var setName = SQLArray<Bool>()
    var setExternalID = SQLArray<Bool>()
    var setURI = SQLArray<Bool>()
    var setState = SQLArray<Bool>()
    var replaceProperties = SQLArray<Bool>()
    /// Names of properties to remove, as a JSON array of strings.
    var removeProperties = SQLArray<String>()
    var replaceCustom = SQLArray<Bool>()
    var removeCustom = SQLArray<String>()
    var expectedRevision = SQLArray<Int64>()
    var expectedUpdateTime = SQLArray<Int64>()
    var changes = SQLArray<Bool>()

    static let columns = [
        SQLColumn(name: "id", type: "int8"), SQLColumn(name: "set_name", type: "bool"),
        SQLColumn(name: "set_external_id", type: "bool"), SQLColumn(name: "set_uri", type: "bool"),
        SQLColumn(name: "set_state", type: "bool"), SQLColumn(name: "replace_properties", type: "bool"),
        SQLColumn(name: "remove_properties", type: "text"), SQLColumn(name: "replace_custom", type: "bool"),
        SQLColumn(name: "remove_custom", type: "text"), SQLColumn(name: "expected_revision", type: "int8"),
        SQLColumn(name: "expected_update_time", type: "int8"),
        SQLColumn(name: "changes", type: "bool"),
    ]

    func bind(into bindings: inout PostgresBindings) {
        bindings.append(id)
        bindings.append(setName)
        bindings.append(setExternalID)
        bindings.append(setURI)
        bindings.append(setState)
        bindings.append(replaceProperties)
        bindings.append(removeProperties)
        bindings.append(replaceCustom)
        bindings.append(removeCustom)
        bindings.append(expectedRevision)
        bindings.append(expectedUpdateTime)
        bindings.append(changes)
    }

    /// Appends NULL rows (the rows of created nodes) until there are `count` rows.
    mutating func padWithNulls(to count: Int) {
        while id.count < count {
            id.append(nil)
            setName.append(nil)
            setExternalID.append(nil)
            setURI.append(nil)
            setState.append(nil)
            replaceProperties.append(nil)
            removeProperties.append(nil)
            replaceCustom.append(nil)
            removeCustom.append(nil)
            expectedRevision.append(nil)
            expectedUpdateTime.append(nil)
            changes.append(nil)
        }
    }

    mutating func append(id: Int64, _ patch: NodePatch) {
        self.id.append(id)
        setName.append(patch.name != .keep)
        setExternalID.append(patch.externalID != .keep)
        setURI.append(patch.uri != .keep)
        setState.append(patch.state != .keep)
        replaceProperties.append(patch.properties.replaceAll)
        removeProperties.append(JSONWriter.string(.array(patch.properties.remove.map(JSON.string))))
        replaceCustom.append(patch.customProperties.replaceAll)
        removeCustom.append(JSONWriter.string(.array(patch.customProperties.remove.map(JSON.string))))
        expectedRevision.append(patch.expectedRevision)
        expectedUpdateTime.append(patch.expectedUpdateTimeMilliseconds)
        changes.append(
            patch.name != .keep || patch.externalID != .keep || patch.uri != .keep || patch.state != .keep
                || !patch.properties.isEmpty || !patch.customProperties.isEmpty)
    }
}

/// The events of a composite write, column by column; nodes are named by their index in the write.
struct EventColumns: Sendable {
    var artifactIndex: [Int32] = []
    var executionIndex: [Int32] = []
    var type: [Int16] = []
    /// The path as JSON text.
    var path = SQLArray<String>()
    var millisecondsSinceEpoch = SQLArray<Int64>()

    static let columns = [
        SQLColumn(name: "a", type: "int4"), SQLColumn(name: "x", type: "int4"), SQLColumn(name: "type", type: "int2"),
        SQLColumn(name: "path", type: "text"), SQLColumn(name: "ms", type: "int8"),
    ]

    init(_ events: [EventEdge]) {
        for event in events {
            artifactIndex.append(Int32(event.artifactIndex))
            executionIndex.append(Int32(event.executionIndex))
            type.append(event.type.rawValue)
            path.append(event.path.isEmpty ? nil : JSONWriter.string(.array(event.path.map(\.json))))
            millisecondsSinceEpoch.append(event.millisecondsSinceEpoch)
        }
    }

    var count: Int { type.count }

    /// Appends the events of `other`, whose nodes now start at the given offsets.
    mutating func append(_ other: EventColumns, artifactOffset: Int32, executionOffset: Int32) {
        artifactIndex += other.artifactIndex.map { $0 + artifactOffset }
        executionIndex += other.executionIndex.map { $0 + executionOffset }
        type += other.type
        path.append(other.path)
        millisecondsSinceEpoch.append(other.millisecondsSinceEpoch)
    }

    func bind(into bindings: inout PostgresBindings) {
        bindings.append(SQLArray(artifactIndex))
        bindings.append(SQLArray(executionIndex))
        bindings.append(SQLArray(type))
        bindings.append(path)
        bindings.append(millisecondsSinceEpoch)
    }
}
