/// What one OpenLineage event writes, in Provenance's terms: the result of the mapping rules
/// (`OpenLineageRecord.init(_:namespaces:)`), which the store carries out.
///
/// - A job is a context of type `OpenLineageJob`, named by the job's name; the job also names the execution type
///   of its runs.
/// - A run is an execution of that type, whose external id (and name) is its `runId`, associated with its job.
/// - A dataset is an artifact of type `OpenLineageDataset`, one per version. An event that states no version
///   (neither a `version` nor a `schema` facet) means the dataset's current version, so datasets are reused across
///   runs; a new version is made only when those facets say the dataset changed.
/// - A parent run facet makes the parent job a context too, the job context's parent, and the parent run a
///   context of type `OpenLineageParentRun` that holds the run's execution.
/// - Facets are kept as custom properties under their own names (struct values); unknown ones too.
public struct OpenLineageRecord: Sendable {
    /// The event's digest (SHA-256, lowercase hex): replays of it are recognised and written once.
    public var digest: String
    /// The Provenance namespace the event lands in.
    public var namespace: String
    /// The event as it arrived, and what it is.
    public var event: OpenLineageEvent
    /// The job (nil for a DatasetEvent).
    public var job: Job?
    /// The run (RunEvents only).
    public var run: Run?
    /// The parent run, from the `parent` facet.
    public var parent: OpenLineageParent?
    /// Datasets read; a DatasetEvent's dataset is here.
    public var inputs: [Dataset]
    /// Datasets written.
    public var outputs: [Dataset]

    /// The context type of jobs.
    public static let jobContextType = "OpenLineageJob"
    /// The context type of parent runs.
    public static let parentRunContextType = "OpenLineageParentRun"
    /// The artifact type of datasets.
    public static let datasetArtifactType = "OpenLineageDataset"

    /// A job's write.
    public struct Job: Sendable, Hashable {
        /// The job's OpenLineage namespace.
        public var namespace: String
        /// The job's name: its context's name and its runs' execution type.
        public var name: String
        /// The job's custom properties, in the stored tagged form.
        public var properties: JSON

        /// Creates a job's write.
        public init(namespace: String, name: String, properties: JSON) {
            self.namespace = namespace
            self.name = name
            self.properties = properties
        }

        public static func == (lhs: Job, rhs: Job) -> Bool { lhs.namespace == rhs.namespace && lhs.name == rhs.name }
        public func hash(into hasher: inout Hasher) {
            hasher.combine(namespace)
            hasher.combine(name)
        }
    }

    /// A run's write.
    public struct Run: Sendable {
        /// The run's id, lowercase.
        public var runID: String
        /// The state the event asks for (the store moves the run there only forwards).
        public var state: ExecutionState
        /// The run's custom properties, in the stored tagged form.
        public var properties: JSON
    }

    /// A dataset's write.
    public struct Dataset: Sendable {
        /// The dataset's OpenLineage namespace.
        public var namespace: String
        /// Its name.
        public var name: String
        /// The version the event states (`version` facet, or a digest of the `schema` facet's fields); nil when it
        /// states none, meaning the current version.
        public var version: String?
        /// Where the data is: `namespace/name`, or the `dataSource` facet's uri with the name.
        public var uri: String
        /// The version's custom properties, in the stored tagged form.
        public var properties: JSON
    }

    /// Applies the mapping rules to `event` (at `path` of the request, for errors), landing it in `namespace`, or
    /// by default the namespace `namespaces` gives its source namespace. (A DatasetEvent lands in every namespace
    /// that holds its dataset: the caller makes one record for each.)
    public init(
        _ event: OpenLineageEvent, namespaces: OpenLineageNamespaces, path: String = "", landingIn namespace: String? = nil
    ) throws(ProvenanceError) {
        try PropertyValue.structValue(event.body).checkStorable(path: path)
        let landing = namespace ?? namespaces.namespace(for: event.sourceNamespace)
        self.event = event
        self.namespace = landing
        self.digest = event.digest(in: landing)
        self.parent = event.parent
        self.inputs = event.inputs.map(Self.dataset)
        self.outputs = event.outputs.map(Self.dataset)
        self.job = event.job.map { job in
            var properties = Self.facetProperties(job.facets)
            properties.append(("openlineage_namespace", ["string": .string(job.namespace)]))
            return Job(namespace: job.namespace, name: job.name, properties: .object(properties))
        }
        if let runID = event.runID, let type = event.eventType {
            let state = OpenLineageRunStates.state(after: type)
            var properties = Self.facetProperties(event.runFacets)
            let time = JSON.object([(key: "string", value: .string(RFC3339Time.text(microseconds: event.eventTime)))])
            if type == .start { properties.append(("started_at", time)) }
            if OpenLineageRunStates.isEnd(state) { properties.append(("ended_at", time)) }
            self.run = Run(runID: runID, state: state, properties: .object(properties))
        } else {
            self.run = nil
        }
    }

    private static func dataset(_ dataset: OpenLineageDataset) -> Dataset {
        var properties = facetProperties(dataset.facets)
        properties.append(("openlineage_namespace", ["string": .string(dataset.namespace)]))
        properties.append(("openlineage_name", ["string": .string(dataset.name)]))
        let version = datasetVersion(dataset)
        if let version { properties.append(("openlineage_version", ["string": .string(version)])) }
        return Dataset(
            namespace: dataset.namespace, name: dataset.name, version: version, uri: uri(dataset),
            properties: .object(properties))
    }

    /// The version a dataset reference states: the `version` facet's `datasetVersion`, else a digest of the
    /// `schema` facet's fields (a changed schema is a new version; the same schema sent again is not).
    static func datasetVersion(_ dataset: OpenLineageDataset) -> String? {
        if case .string(let version)? = dataset.facet("version")?["datasetVersion"], !version.isEmpty {
            return version
        }
        if let fields = dataset.facet("schema")?["fields"] {
            return "schema-" + Digest.sha256 { $0.append(fields) }.prefix(16)
        }
        return nil
    }

    private static func uri(_ dataset: OpenLineageDataset) -> String {
        let base: String
        if case .string(let source)? = dataset.facet("dataSource")?["uri"], !source.isEmpty {
            base = source
        } else {
            base = dataset.namespace
        }
        return base.hasSuffix("/") ? base + dataset.name : base + "/" + dataset.name
    }

    /// Each facet as a struct-valued custom property under its own name.
    private static func facetProperties(_ facets: [JSONMember]) -> [(key: String, value: JSON)] {
        facets.map { (key: $0.key, value: .object([(key: "struct", value: $0.value)])) }
    }
}
