import ProvenanceCore

/// The types OpenLineage events are recorded under in one namespace.
struct OpenLineageTypes: Sendable {
    /// Context type of jobs.
    var job: Int64
    /// Context type of parent runs.
    var parentRun: Int64
    /// Artifact type of datasets.
    var dataset: Int64
    /// Execution type of each job's runs, by job name.
    var runs: [String: Int64]
}

/// The rows of one OpenLineage write (several events' records, each already known to be new), as the columns its
/// statement unnests: jobs and parent runs (contexts), runs (executions), datasets and the references to them.
///
/// What several events of the write say about one thing is merged here, because one statement may not insert or
/// update a row twice: a run's state is the furthest any of its events reaches (`OpenLineageRunStates`) and its
/// properties are merged in event order; a job's latest run is its last event's.
struct OpenLineageWriteColumns: Sendable {
    struct Job {
        var namespaceID: Int64
        var typeID: Int64
        var job: OpenLineageRecord.Job
        var latestRun: String?
    }

    struct Run {
        var namespaceID: Int64
        var typeID: Int64
        var runID: String
        var state: ExecutionState
        var properties: [(key: String, value: JSON)]
        var jobTypeID: Int64
        var jobName: String
        var parentRun: String?
    }

    struct DatasetKey: Hashable {
        var namespaceID: Int64
        var namespace: String
        var name: String
    }

    var jobs: [JobKey: Job] = [:]
    var runs: [RunKey: Run] = [:]
    /// Each dataset's version as the write's last event stating one says (nil: none stated it).
    var datasets: [DatasetKey: String?] = [:]
    var parentRuns: [RunKey: (typeID: Int64, parentJob: JobKey)] = [:]
    var jobParents: Set<JobLink> = []
    /// The version each dataset was last stated to have so far in the write, in event order: a later reference that
    /// states none means that one, or else the version current before the write (`currentVersions`).
    private var statedSoFar: [DatasetKey: String] = [:]
    private let currentVersions: [DatasetKey: String]

    // One row per dataset reference.
    var referenceNamespace: [Int64] = []
    var referenceType: [Int64] = []
    var referenceDatasetNamespace: [String] = []
    var referenceName: [String] = []
    /// The version each reference means ("" for the first, unversioned one).
    var referenceVersion: [String] = []
    var referenceURI: [String] = []
    var referenceProperties: [String] = []
    var referenceDirection: [Int16] = []
    var referenceRun = SQLArray<String>()
    var referenceJobType = SQLArray<Int64>()
    var referenceJobName = SQLArray<String>()
    var referenceTime: [Int64] = []

    struct JobKey: Hashable, Comparable {
        var namespaceID: Int64
        var typeID: Int64
        var name: String
        static func < (lhs: JobKey, rhs: JobKey) -> Bool {
            (lhs.namespaceID, lhs.typeID, lhs.name) < (rhs.namespaceID, rhs.typeID, rhs.name)
        }
    }

    struct RunKey: Hashable, Comparable {
        var namespaceID: Int64
        var runID: String
        static func < (lhs: RunKey, rhs: RunKey) -> Bool { (lhs.namespaceID, lhs.runID) < (rhs.namespaceID, rhs.runID) }
    }

    struct JobLink: Hashable {
        var child: JobKey
        var parent: JobKey
    }

    /// The datasets `records` name, as `currentVersions` is keyed.
    static func datasetKeys(_ records: [OpenLineageRecord], namespaceIDs: [String: Int64]) -> Set<DatasetKey> {
        var keys = Set<DatasetKey>()
        for record in records {
            guard let namespaceID = namespaceIDs[record.namespace] else { continue }
            for dataset in record.inputs + record.outputs {
                keys.insert(DatasetKey(namespaceID: namespaceID, namespace: dataset.namespace, name: dataset.name))
            }
        }
        return keys
    }

    /// Builds the columns of `records`, landing in the namespaces `namespaceIDs` names, under `types`; a reference
    /// that states no version, with none stated before it in the write, means its dataset's `currentVersions` entry.
    init(
        _ records: [OpenLineageRecord], namespaceIDs: [String: Int64], types: [Int64: OpenLineageTypes],
        currentVersions: [DatasetKey: String]
    ) {
        self.currentVersions = currentVersions
        for record in records {
            guard let namespaceID = namespaceIDs[record.namespace], let types = types[namespaceID] else { continue }
            var jobKey: JobKey?
            if let job = record.job {
                let key = JobKey(namespaceID: namespaceID, typeID: types.job, name: job.name)
                jobKey = key
                addJob(key, job: job, latestRun: record.run?.runID)
            }
            var parentRunID: String?
            if let parent = record.parent {
                let parentJob = OpenLineageRecord.Job(
                    namespace: parent.job.namespace, name: parent.job.name,
                    properties: ["openlineage_namespace": ["string": .string(parent.job.namespace)]])
                let parentKey = JobKey(namespaceID: namespaceID, typeID: types.job, name: parent.job.name)
                addJob(parentKey, job: parentJob, latestRun: nil)
                if let jobKey, jobKey != parentKey { jobParents.insert(JobLink(child: jobKey, parent: parentKey)) }
                parentRuns[RunKey(namespaceID: namespaceID, runID: parent.runID)] = (types.parentRun, parentKey)
                parentRunID = parent.runID
            }
            if let run = record.run, let job = record.job, let runType = types.runs[job.name] {
                addRun(
                    Run(
                        namespaceID: namespaceID, typeID: runType, runID: run.runID, state: run.state,
                        properties: run.properties.objectMembers, jobTypeID: types.job, jobName: job.name,
                        parentRun: parentRunID))
            }
            for (direction, datasets) in [(Int16(0), record.inputs), (Int16(1), record.outputs)] {
                for dataset in datasets {
                    addReference(
                        dataset, direction: direction, namespaceID: namespaceID, typeID: types.dataset,
                        run: record.run?.runID, job: record.job.map { (types.job, $0.name) }, time: record.event.eventTime)
                }
            }
        }
    }

    private mutating func addJob(_ key: JobKey, job: OpenLineageRecord.Job, latestRun: String?) {
        if var known = jobs[key] {
            known.job.properties = .object(known.job.properties.objectMembers + job.properties.objectMembers)
            if let latestRun { known.latestRun = latestRun }
            jobs[key] = known
        } else {
            jobs[key] = Job(namespaceID: key.namespaceID, typeID: key.typeID, job: job, latestRun: latestRun)
        }
    }

    private mutating func addRun(_ run: Run) {
        let key = RunKey(namespaceID: run.namespaceID, runID: run.runID)
        guard var known = runs[key] else {
            runs[key] = run
            return
        }
        if OpenLineageRunStates.moves(from: known.state, to: run.state) { known.state = run.state }
        known.properties += run.properties
        known.parentRun = known.parentRun ?? run.parentRun
        runs[key] = known
    }

    private mutating func addReference(
        _ dataset: OpenLineageRecord.Dataset, direction: Int16, namespaceID: Int64, typeID: Int64, run: String?,
        job: (typeID: Int64, name: String)?, time: Int64
    ) {
        let key = DatasetKey(namespaceID: namespaceID, namespace: dataset.namespace, name: dataset.name)
        if let version = dataset.version {
            datasets[key] = .some(version)
            statedSoFar[key] = version
        } else if datasets[key] == nil {
            datasets[key] = .some(nil)
        }
        referenceNamespace.append(namespaceID)
        referenceType.append(typeID)
        referenceDatasetNamespace.append(dataset.namespace)
        referenceName.append(dataset.name)
        referenceVersion.append(dataset.version ?? statedSoFar[key] ?? currentVersions[key] ?? "")
        referenceURI.append(dataset.uri)
        referenceProperties.append(JSONWriter.string(dataset.properties))
        referenceDirection.append(direction)
        referenceRun.append(run)
        referenceJobType.append(job?.typeID)
        referenceJobName.append(job?.name)
        referenceTime.append(time)
    }
}

extension JSON {
    /// The members of an object (none for any other value).
    var objectMembers: [(key: String, value: JSON)] {
        if case .object(let members) = self { return members }
        return []
    }
}
