/// A registered component version.
public struct StoredComponent: Sendable, Equatable {
    /// The component's id.
    public var id: ComponentID
    /// Its definition.
    public var spec: ComponentSpec
    /// The MLMD execution type its attempts are recorded as.
    public var executionTypeID: TypeID
    /// Microseconds since the epoch.
    public var createTime: Int64

    /// Creates a value.
    public init(id: ComponentID, spec: ComponentSpec, executionTypeID: TypeID, createTime: Int64) {
        self.id = id
        self.spec = spec
        self.executionTypeID = executionTypeID
        self.createTime = createTime
    }
}

/// One stored version of a pipeline.
public struct StoredPipelineVersion: Sendable, Equatable {
    /// The pipeline's id.
    public var pipelineID: PipelineID
    /// The version's id.
    public var versionID: PipelineVersionID
    /// The digest of the version's spec: its name in the API.
    public var digest: String
    /// The spec.
    public var spec: PipelineSpec
    /// The MLMD Pipeline context.
    public var contextID: ContextID
    /// Microseconds since the epoch.
    public var createTime: Int64

    /// Creates a value.
    public init(pipelineID: PipelineID, versionID: PipelineVersionID, digest: String, spec: PipelineSpec, contextID: ContextID, createTime: Int64) {
        self.pipelineID = pipelineID
        self.versionID = versionID
        self.digest = digest
        self.spec = spec
        self.contextID = contextID
        self.createTime = createTime
    }
}

/// A pipeline and its newest version.
public struct StoredPipeline: Sendable, Equatable {
    /// The pipeline's name.
    public var name: String
    /// Its newest version.
    public var latest: StoredPipelineVersion
    /// How many versions it has.
    public var versionCount: Int

    /// Creates a value.
    public init(name: String, latest: StoredPipelineVersion, versionCount: Int) {
        self.name = name
        self.latest = latest
        self.versionCount = versionCount
    }
}
