import PostgresNIO
import ProvenanceCore

/// A column of rows passed to the composite write as an array parameter: its name in the statement, the SQL type
/// of its elements, and how it is bound from the rows. The statement's placeholders and the bindings are both made
/// by walking one list of these, so they cannot fall out of step.
struct SQLColumn<Rows>: Sendable {
    let name: String
    let type: String
    let bind: @Sendable (Rows, inout PostgresBindings) -> Void

    init(_ name: String, _ type: String, bind: @escaping @Sendable (Rows, inout PostgresBindings) -> Void) {
        self.name = name
        self.type = type
        self.bind = bind
    }
}

extension Array {
    /// Binds each column of `rows`, in the list's order.
    func bind<Rows>(_ rows: Rows, into bindings: inout PostgresBindings) where Element == SQLColumn<Rows> {
        for column in self { column.bind(rows, &bindings) }
    }
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
    static let created: [SQLColumn<NodeColumns>] = [
        SQLColumn("type_id", "int8") { $1.append($0.typeID) }, SQLColumn("name", "text") { $1.append($0.name) },
        SQLColumn("external_id", "text") { $1.append($0.externalID) }, SQLColumn("uri", "text") { $1.append($0.uri) },
        SQLColumn("state", "int2") { $1.append($0.state) },
        SQLColumn("properties", "text") { $1.append($0.properties) },
        SQLColumn("custom_properties", "text") { $1.append($0.customProperties) },
    ]

    /// The columns of the statement, in binding order: `created`, then (for the statement that updates stored
    /// nodes) `UpdateColumns.columns`.
    static func statementColumns(updates: Bool) -> [(name: String, type: String)] {
        created.map { ($0.name, $0.type) } + (updates ? UpdateColumns.columns.map { ($0.name, $0.type) } : [])
    }

    /// Appends the columns as parameters in the order of `statementColumns(updates:)`.
    func bind(into bindings: inout PostgresBindings, updates bindUpdates: Bool) {
        Self.created.bind(self, into: &bindings)
        guard bindUpdates else { return }
        var padded = updates
        padded.padWithNulls(to: rowCount)
        UpdateColumns.columns.bind(padded, into: &bindings)
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

    static let columns: [SQLColumn<UpdateColumns>] = [
        SQLColumn("id", "int8") { $1.append($0.id) }, SQLColumn("set_name", "bool") { $1.append($0.setName) },
        SQLColumn("set_external_id", "bool") { $1.append($0.setExternalID) },
        SQLColumn("set_uri", "bool") { $1.append($0.setURI) }, SQLColumn("set_state", "bool") { $1.append($0.setState) },
        SQLColumn("replace_properties", "bool") { $1.append($0.replaceProperties) },
        SQLColumn("remove_properties", "text") { $1.append($0.removeProperties) },
        SQLColumn("replace_custom", "bool") { $1.append($0.replaceCustom) },
        SQLColumn("remove_custom", "text") { $1.append($0.removeCustom) },
        SQLColumn("expected_revision", "int8") { $1.append($0.expectedRevision) },
        SQLColumn("expected_update_time", "int8") { $1.append($0.expectedUpdateTime) },
        SQLColumn("changes", "bool") { $1.append($0.changes) },
    ]

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

    /// `a` and `x` are the indexes of the event's artifact and execution in the write.
    static let columns: [SQLColumn<EventColumns>] = [
        SQLColumn("a", "int4") { $1.append(SQLArray($0.artifactIndex)) },
        SQLColumn("x", "int4") { $1.append(SQLArray($0.executionIndex)) },
        SQLColumn("type", "int2") { $1.append(SQLArray($0.type)) }, SQLColumn("path", "text") { $1.append($0.path) },
        SQLColumn("ms", "int8") { $1.append($0.millisecondsSinceEpoch) },
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
        Self.columns.bind(self, into: &bindings)
    }
}
