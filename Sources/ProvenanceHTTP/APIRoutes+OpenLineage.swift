import CompressNIO
import Hummingbird
import NIOCore
import ProvenanceCore

extension APIRoutes {
    /// OpenLineage's endpoint (`POST /api/v1/lineage`, where OpenLineage clients send by default): one event or an
    /// array of them, plain or gzip-compressed, each landing in the namespace its job's namespace maps to.
    func registerOpenLineage(_ api: RouterGroup<APIRequestContext>) {
        api.post("lineage") { request, context in
            let body = try await openLineageBody(request)
            let events = try OpenLineageEvent.events(from: body)
            let batch: Bool = if case .array = body { true } else { false }
            var records: [OpenLineageRecord] = []
            var paths: [String] = []
            records.reserveCapacity(events.count)
            for (index, event) in events.enumerated() {
                let path = batch ? "[\(index)]" : ""
                for namespace in try await landings(event, path: path, principal: context.principal) {
                    records.append(
                        try OpenLineageRecord(
                            event, namespaces: limits.openLineageNamespaces, path: path, landingIn: namespace))
                    paths.append(path)
                }
            }
            try await prepareNamespaces(records, paths: paths, context: context)
            let result = try await store.ingestOpenLineage(records)
            return JSONResponse.make(
                [
                    "received": .int(Int64(result.received)), "written": .int(Int64(result.written)),
                    "replayed": .int(Int64(result.received - result.written)),
                ], status: .created)
        }
    }

    /// The body as JSON, inflated first when it is sent with `Content-Encoding: gzip` (what OpenLineage's clients
    /// send with `compression: gzip`). The inflated body is held to the same limit as any body.
    private func openLineageBody(_ request: Request) async throws -> JSON {
        var request = request
        var buffer = try await request.collectBody(upTo: limits.maximumBodyBytes)
        let encoding = (request.headers[.contentEncoding] ?? "identity").trimmingCharacters(in: .whitespaces).lowercased()
        switch encoding {
        case "identity", "":
            break
        case "gzip", "x-gzip":
            do {
                buffer = try buffer.decompress(with: .gzip(), maxSize: limits.maximumBodyBytes)
            } catch {
                guard (error as? CompressNIOError) == .bufferOverflow else {
                    throw ProvenanceError.invalid("", "the request body is not valid gzip (Content-Encoding: gzip)")
                }
                throw ProvenanceError(
                    .payloadTooLarge, "the request body inflates to more than \(limits.maximumBodyBytes) bytes",
                    details: ["field": ""])
            }
        default:
            throw ProvenanceError.invalid("Content-Encoding", "'\(encoding)' is not supported; send gzip or no encoding")
        }
        guard buffer.readableBytes > 0 else { throw ProvenanceError.invalid("", "the request body is empty; expected JSON") }
        return try buffer.withUnsafeReadableBytes { bytes throws(ProvenanceError) in try JSONParser.parse(bytes) }
    }

    /// Where an event lands: a RunEvent or JobEvent in the namespace its job's maps to; a DatasetEvent (which has no
    /// job) in every namespace that holds its dataset and the caller may write in, or, when none holds it yet, in
    /// the namespace the dataset's own namespace maps to.
    private func landings(_ event: OpenLineageEvent, path: String, principal: Principal) async throws -> [String?] {
        guard event.kind == .dataset, let dataset = event.inputs.first else { return [nil] }
        let homes = try await store.openLineageDatasetHomes(namespace: dataset.namespace, name: dataset.name)
        guard !homes.isEmpty else { return [nil] }
        let writable = homes.filter { principal.holds(.writer, in: $0) }
        guard !writable.isEmpty else {
            let field = Validation.join(path, "dataset.namespace")
            throw ProvenanceError(
                .permissionDenied,
                "\(field): the dataset '\(dataset.namespace):\(dataset.name)' is held in \(homes.joined(separator: ", ")), "
                    + "where \(principal.name) is not a writer",
                details: ["field": .string(field)])
        }
        return writable
    }

    /// Checks the caller may write in every namespace the events land in, and makes those that do not exist yet
    /// (audited as the caller's): a writer granted a namespace by name may fill it before anyone made it. `paths`
    /// says where in the request each record's event is, for errors.
    private func prepareNamespaces(_ records: [OpenLineageRecord], paths: [String], context: APIRequestContext)
        async throws
    {
        var checked = Set<String>()
        for (record, path) in zip(records, paths) where checked.insert(record.namespace).inserted {
            guard context.principal.holds(.writer, in: record.namespace) else {
                let field = Validation.join(path, record.event.kind == .dataset ? "dataset.namespace" : "job.namespace")
                throw ProvenanceError(
                    .permissionDenied,
                    "\(field): the OpenLineage namespace '\(record.event.sourceNamespace)' lands in namespace "
                        + "'\(record.namespace)', where \(context.principal.name) is not a writer",
                    details: ["field": .string(field)])
            }
            guard try await !namespaceExists(record.namespace) else { continue }
            do {
                _ = try await store.createNamespace(
                    name: record.namespace,
                    description: "Made for the OpenLineage namespace '\(record.event.sourceNamespace)'",
                    actor: context.actor)
            } catch {
                // Another request may have made it meanwhile.
                guard error.code == .alreadyExists else { throw error }
            }
        }
    }

    /// Whether the namespace `name` exists.
    private func namespaceExists(_ name: String) async throws(ProvenanceError) -> Bool {
        do {
            _ = try await store.namespaceID(name)
            return true
        } catch {
            guard error.code == .notFound else { throw error }
            return false
        }
    }
}
