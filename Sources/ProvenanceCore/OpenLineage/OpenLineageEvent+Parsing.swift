extension OpenLineageEvent {
    /// The events of a request body: one event, or (the batch form, which Marquez lacks) an array of them. Each is
    /// checked whole before anything is written, and an error names the field (`[2].run.runId`).
    public static func events(from body: JSON) throws(ProvenanceError) -> [OpenLineageEvent] {
        guard case .array(let elements) = body else { return [try parse(body, path: "")] }
        guard !elements.isEmpty else { throw .invalid("", "the batch is empty; expected at least one event") }
        guard elements.count <= maximumBatch else {
            throw ProvenanceError(
                .payloadTooLarge, "a batch holds at most \(maximumBatch) events, not \(elements.count)", details: ["field": ""])
        }
        var events: [OpenLineageEvent] = []
        events.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() { events.append(try parse(element, path: "[\(index)]")) }
        return events
    }

    /// The most events one batch may carry.
    public static let maximumBatch = 10_000

    /// Reads one event at `path` of the request.
    public static func parse(_ json: JSON, path: String) throws(ProvenanceError) -> OpenLineageEvent {
        let event = try JSONObjectReader(json, path: path)
        let eventTime = try RFC3339Time.microseconds(
            try event.requiredString("eventTime"), field: event.field("eventTime"))
        for required in ["producer", "schemaURL"] where try event.requiredString(required).isEmpty {
            throw .invalid(event.field(required), "must not be empty")
        }
        if event.value("run") != nil {
            return try parseRunEvent(event, json: json, eventTime: eventTime)
        }
        if let dataset = try event.object("dataset") {
            let read = try parseDataset(dataset)
            return OpenLineageEvent(
                kind: .dataset, eventType: nil, eventTime: eventTime, runID: nil, job: nil, runFacets: [], parent: nil,
                inputs: [read], outputs: [], body: json)
        }
        guard let job = try event.object("job") else {
            throw .invalid(
                event.field("run"), "is required (a RunEvent has run and job, a DatasetEvent dataset, a JobEvent job)")
        }
        return OpenLineageEvent(
            kind: .job, eventType: nil, eventTime: eventTime, runID: nil, job: try parseJob(job), runFacets: [],
            parent: nil, inputs: try datasets(event, "inputs"), outputs: try datasets(event, "outputs"), body: json)
    }

    private static func parseRunEvent(_ event: JSONObjectReader, json: JSON, eventTime: Int64) throws(ProvenanceError)
        -> OpenLineageEvent
    {
        var eventType = EventType.other
        if let name = try event.string("eventType") {
            guard let known = EventType(rawValue: name) else {
                let names = EventType.allCases.map(\.rawValue).joined(separator: ", ")
                throw .invalid(event.field("eventType"), "'\(name)' is not an event type; expected one of \(names)")
            }
            eventType = known
        }
        guard let run = try event.object("run") else { throw .invalid(event.field("run"), "expected an object") }
        let runID = try uuid(try run.requiredString("runId"), field: run.field("runId"))
        guard let job = try event.object("job") else { throw .invalid(event.field("job"), "is required") }
        let runFacets = try facets(run)
        var parent: OpenLineageParent?
        if let facets = try run.object("facets"), let parentFacet = try facets.object("parent") {
            parent = try parseParent(parentFacet)
        }
        return OpenLineageEvent(
            kind: .run, eventType: eventType, eventTime: eventTime, runID: runID, job: try parseJob(job),
            runFacets: runFacets, parent: parent, inputs: try datasets(event, "inputs"),
            outputs: try datasets(event, "outputs"), body: json)
    }

    private static func parseParent(_ facet: JSONObjectReader) throws(ProvenanceError) -> OpenLineageParent {
        guard let run = try facet.object("run") else { throw .invalid(facet.field("run"), "is required") }
        guard let job = try facet.object("job") else { throw .invalid(facet.field("job"), "is required") }
        let runID = try uuid(try run.requiredString("runId"), field: run.field("runId"))
        return OpenLineageParent(job: try parseJob(job), runID: runID)
    }

    private static func parseJob(_ job: JSONObjectReader) throws(ProvenanceError) -> OpenLineageJob {
        OpenLineageJob(
            namespace: try name(job, "namespace"), name: try name(job, "name"), facets: try facets(job))
    }

    private static func parseDataset(_ dataset: JSONObjectReader) throws(ProvenanceError) -> OpenLineageDataset {
        OpenLineageDataset(
            namespace: try name(dataset, "namespace"), name: try name(dataset, "name"), facets: try facets(dataset))
    }

    private static func datasets(_ event: JSONObjectReader, _ key: String) throws(ProvenanceError) -> [OpenLineageDataset] {
        guard let elements = try event.array(key) else { return [] }
        var result: [OpenLineageDataset] = []
        for (index, element) in elements.enumerated() {
            result.append(try parseDataset(try JSONObjectReader(element, in: event.field(key), at: index)))
        }
        return result
    }

    /// A required, non-empty name of bounded length.
    private static func name(_ object: JSONObjectReader, _ key: String) throws(ProvenanceError) -> String {
        let text = try object.requiredString(key)
        try Validation.requireName(text, field: object.field(key))
        return text
    }

    /// An object's `facets`, each an object (the spec's facets always are).
    private static func facets(_ object: JSONObjectReader) throws(ProvenanceError) -> [JSONMember] {
        guard let members = try object.members("facets") else { return [] }
        var result: [JSONMember] = []
        for member in members {
            try Validation.requireName(member.key, field: object.field("facets"))
            guard case .object = member.value else {
                throw .invalid(Validation.join(object.field("facets"), member.key), "expected an object, got \(member.value.kindName)")
            }
            result.append(JSONMember(key: member.key, value: member.value))
        }
        return result
    }

    /// A UUID in canonical form (8-4-4-4-12 hex digits), returned in lowercase.
    static func uuid(_ text: String, field: @autoclosure () -> String) throws(ProvenanceError) -> String {
        let bytes = Array(text.utf8)
        let dashes: Set<Int> = [8, 13, 18, 23]
        let valid =
            bytes.count == 36
            && bytes.indices.allSatisfy { index in
                let byte = bytes[index]
                if dashes.contains(index) { return byte == UInt8(ascii: "-") }
                return (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
            }
        guard valid else { throw .invalid(field(), "'\(text.prefix(64))' is not a UUID (8-4-4-4-12 hexadecimal digits)") }
        return text.lowercased()
    }
}
