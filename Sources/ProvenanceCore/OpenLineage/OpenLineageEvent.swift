/// One OpenLineage 2-0-2 event as Provenance keeps it: what the mapping onto the graph needs, read and checked, and
/// the event itself as it arrived (facets Provenance does not understand stay in it, untouched).
public struct OpenLineageEvent: Sendable {
    /// The three kinds of event the spec defines, told apart by which members they carry.
    public enum Kind: String, Sendable {
        /// A RunEvent: a run of a job changed state (it has `run` and `job`).
        case run
        /// A DatasetEvent: a dataset's metadata, outside any run (it has `dataset`).
        case dataset
        /// A JobEvent: a job's metadata and its declared inputs and outputs, outside any run (`job` but no `run`).
        case job
    }

    /// A RunEvent's `eventType`.
    public enum EventType: String, Sendable, CaseIterable {
        case start = "START", running = "RUNNING", complete = "COMPLETE", abort = "ABORT", fail = "FAIL", other = "OTHER"
    }

    /// Which kind of event this is.
    public var kind: Kind
    /// A RunEvent's type; nil for the other kinds (a RunEvent without one is `OTHER`, as the spec says).
    public var eventType: EventType?
    /// `eventTime`, microseconds since the Unix epoch.
    public var eventTime: Int64
    /// The run's `runId`, a UUID in lowercase; nil for dataset and job events.
    public var runID: String?
    /// The job; nil for dataset events.
    public var job: OpenLineageJob?
    /// The run's facets (`nominalTime`, `parent`, `errorMessage`, and any a producer made up), in request order.
    public var runFacets: [JSONMember]
    /// The run's parent (the `parent` run facet), if any.
    public var parent: OpenLineageParent?
    /// Datasets read (a DatasetEvent's one dataset is here too).
    public var inputs: [OpenLineageDataset]
    /// Datasets written.
    public var outputs: [OpenLineageDataset]
    /// The event as it arrived.
    public var body: JSON

    /// Creates an event.
    public init(
        kind: Kind, eventType: EventType?, eventTime: Int64, runID: String?, job: OpenLineageJob?,
        runFacets: [JSONMember], parent: OpenLineageParent?, inputs: [OpenLineageDataset],
        outputs: [OpenLineageDataset], body: JSON
    ) {
        self.kind = kind
        self.eventType = eventType
        self.eventTime = eventTime
        self.runID = runID
        self.job = job
        self.runFacets = runFacets
        self.parent = parent
        self.inputs = inputs
        self.outputs = outputs
        self.body = body
    }

    /// The namespace the event is about: its job's, or a DatasetEvent's dataset's.
    public var sourceNamespace: String {
        job?.namespace ?? inputs.first?.namespace ?? ""
    }

    /// The event's identity for replays in `namespace`: the SHA-256 of the namespace and the event's canonical
    /// encoding, so the same event sent again (in any key order, with any whitespace) is recognised and written once.
    public func digest(in namespace: String) -> String {
        Digest.sha256 { encoding in
            encoding.append(namespace)
            encoding.append(body)
        }
    }
}

/// A job or a dataset as an event names it: a namespace, a name unique in it, and facets.
public struct OpenLineageReference: Sendable, Hashable {
    /// The namespace (an Airflow instance, a Spark cluster; `postgres://db:5432`, `s3://bucket`).
    public var namespace: String
    /// The name, unique in the namespace.
    public var name: String
    /// The facets, in request order.
    public var facets: [JSONMember]

    /// Creates a reference.
    public init(namespace: String, name: String, facets: [JSONMember] = []) {
        self.namespace = namespace
        self.name = name
        self.facets = facets
    }

    /// The facet called `name`, if the event carries it.
    public func facet(_ name: String) -> JSON? {
        facets.first { $0.key == name }?.value
    }
}

/// A job, as an event names it.
public typealias OpenLineageJob = OpenLineageReference
/// A dataset, as an event names it.
public typealias OpenLineageDataset = OpenLineageReference

/// A run's parent run (an Airflow task's DAG run), from the `parent` run facet.
public struct OpenLineageParent: Sendable, Hashable {
    /// The parent job.
    public var job: OpenLineageJob
    /// The parent run's id, a lowercase UUID.
    public var runID: String

    /// Creates a parent reference.
    public init(job: OpenLineageJob, runID: String) {
        self.job = job
        self.runID = runID
    }
}

/// A member of a JSON object, hashable so values holding facets can be compared and used as keys.
public struct JSONMember: Sendable, Hashable {
    /// The member's name.
    public var key: String
    /// Its value.
    public var value: JSON

    /// Creates a member.
    public init(key: String, value: JSON) {
        self.key = key
        self.value = value
    }

    public static func == (lhs: JSONMember, rhs: JSONMember) -> Bool { lhs.key == rhs.key && lhs.value == rhs.value }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
    }
}
