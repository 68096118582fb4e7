import ProvenanceCore
import SwiftProtobuf

/// What MLMD's Artifact, Execution and Context messages share, so that one translation serves all three kinds.
protocol MLMDNodeMessage: SwiftProtobuf.Message {
    static var kind: NodeKind { get }
    var id: Int64 { get set }
    var hasID: Bool { get }
    var name: String { get set }
    var hasName: Bool { get }
    var typeID: Int64 { get set }
    var hasTypeID: Bool { get }
    var type: String { get set }
    var externalID: String { get set }
    var hasExternalID: Bool { get }
    var properties: [String: MlMetadata_Value] { get set }
    var customProperties: [String: MlMetadata_Value] { get set }
    var createTimeSinceEpoch: Int64 { get set }
    var lastUpdateTimeSinceEpoch: Int64 { get set }
    var hasLastUpdateTimeSinceEpoch: Bool { get }
    /// The artifact state or execution last_known_state in MLMD's numbering; always nil for contexts.
    var stateValue: Int16? { get set }
    /// The artifact URI; always nil for the other kinds.
    var uriValue: String? { get set }
}

extension MlMetadata_Artifact: MLMDNodeMessage {
    static var kind: NodeKind { .artifact }
    var stateValue: Int16? {
        get { hasState ? Int16(state.rawValue) : nil }
        set {
            if let newValue, let value = State(rawValue: Int(newValue)) { state = value } else { clearState() }
        }
    }
    var uriValue: String? {
        get { hasUri ? uri : nil }
        set { if let newValue { uri = newValue } else { clearUri() } }
    }
}

extension MlMetadata_Execution: MLMDNodeMessage {
    static var kind: NodeKind { .execution }
    var stateValue: Int16? {
        get { hasLastKnownState ? Int16(lastKnownState.rawValue) : nil }
        set {
            if let newValue, let value = State(rawValue: Int(newValue)) {
                lastKnownState = value
            } else {
                clearLastKnownState()
            }
        }
    }
    var uriValue: String? {
        get { nil }
        set {}
    }
}

extension MlMetadata_Context: MLMDNodeMessage {
    static var kind: NodeKind { .context }
    var stateValue: Int16? {
        get { nil }
        set {}
    }
    var uriValue: String? {
        get { nil }
        set {}
    }
}

extension MLMDNodeMessage {
    /// The message of a stored node. Times are MLMD's milliseconds since the epoch.
    init(_ node: Node) {
        self.init()
        id = node.id
        typeID = node.typeID.rawValue
        type = node.typeName
        if let name = node.name { self.name = name }
        if let externalID = node.externalID { self.externalID = externalID }
        uriValue = node.uri
        stateValue = node.state
        properties = MLMDValue.messages(node.properties)
        customProperties = MLMDValue.messages(node.customProperties)
        createTimeSinceEpoch = node.createTime / 1000
        lastUpdateTimeSinceEpoch = node.updateTime / 1000
    }

    /// The write of this message: a new node without an id, else an update of the stored one (a full replace, or
    /// only the fields `mask` names). `field` names the message in errors.
    func nodeWrite(field: String, mask: UpdateMask?, checkUpdateTime: Bool) throws(ProvenanceError) -> NodeWrite {
        let properties = try MLMDValue.propertyInputs(self.properties, field: field + ".properties")
        let custom = try MLMDValue.propertyInputs(customProperties, field: field + ".custom_properties")
        guard hasID else {
            guard hasTypeID else { throw .invalid(field + ".type_id", "is required for a new \(Self.kind.rawValue)") }
            return .create(
                NodeDraft(
                    kind: Self.kind, type: .id(TypeID(typeID)), name: hasName ? name : nil,
                    externalID: hasExternalID ? externalID : nil, uri: uriValue, state: stateValue,
                    properties: properties, customProperties: custom))
        }
        var patch = mask.map { $0.patch(for: self, properties: properties, custom: custom) }
            ?? fullReplacement(properties: properties, custom: custom)
        if hasTypeID { patch.expectedType = .id(TypeID(typeID)) }
        if checkUpdateTime && hasLastUpdateTimeSinceEpoch {
            patch.expectedUpdateTimeMilliseconds = lastUpdateTimeSinceEpoch
        }
        return .update(id: id, patch)
    }

    private func fullReplacement(properties: [String: PropertyInput], custom: [String: PropertyInput]) -> NodePatch {
        var patch = NodePatch()
        patch.name = .set(hasName ? name : nil)
        patch.externalID = .set(hasExternalID ? externalID : nil)
        if Self.kind.hasURI { patch.uri = .set(uriValue) }
        if Self.kind.stateField != nil { patch.state = .set(stateValue) }
        patch.properties = PropertyPatch(replaceAll: true, set: properties)
        patch.customProperties = PropertyPatch(replaceAll: true, set: custom)
        return patch
    }
}
