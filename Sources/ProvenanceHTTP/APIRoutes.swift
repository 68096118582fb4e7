import Foundation
import Hummingbird
import ProvenanceAPI
import ProvenanceCore
import ProvenanceOrchestrator
import ProvenanceStore

/// Limits and options of the REST API.
public struct APIOptions: Sendable {
    /// The largest request body accepted (after decompression, for a gzip body); larger is 413.
    public var maximumBodyBytes: Int
    /// The Provenance namespace of each OpenLineage namespace.
    public var openLineageNamespaces: OpenLineageNamespaces

    /// Creates options.
    public init(maximumBodyBytes: Int, openLineageNamespaces: OpenLineageNamespaces = OpenLineageNamespaces()) {
        self.maximumBodyBytes = maximumBodyBytes
        self.openLineageNamespaces = openLineageNamespaces
    }
}

/// The REST API v1 over a store. Handlers translate JSON to domain values, call the store once, and translate
/// back; no handler holds logic the gRPC adapter would need too.
struct APIRoutes: Sendable {
    let engine: Engine
    let authorizer: Authorizer
    let metrics: MetricsExposition
    let limits: APIOptions
    var store: PostgresStore { engine.store }

    func register(on router: Router<APIRequestContext>) {
        router.get("healthz") { _, _ in JSONResponse.make(["status": "ok"]) }
        router.get("readyz") { _, _ in
            let readiness = await store.readiness()
            return JSONResponse.make(WireHealth.json(readiness), status: readiness.isReady ? .ok : .serviceUnavailable)
        }
        registerMetrics(router)
        registerUI(router)
        let api = router.group("api/v1")
        registerNamespaces(api)
        registerTokens(api)
        registerExecutors(api)
        registerOpenLineage(api)
        let namespace = api.group("namespaces/{namespace}")
        registerTypes(namespace)
        for kind in NodeKind.allCases { registerNodes(namespace, kind: kind) }
        registerEvents(namespace)
        registerRelations(namespace)
        registerRecords(namespace)
        registerLineage(namespace)
        registerPipelines(namespace)
        registerRuns(namespace)
        registerSchedules(namespace)
        registerLayers(namespace)
        registerFleet(namespace)
        registerRunMetrics(namespace)
        registerEventStream(namespace)
        registerMarquez(api: api, namespace: namespace)
    }

    func body(_ request: Request) async throws -> JSON {
        try await JSONResponse.body(of: request, limit: limits.maximumBodyBytes)
    }
}

/// Path and query parameters, with 400s that name the parameter.
extension APIRequestContext {
    func namespace() throws -> String {
        guard let name = parameters.get("namespace") else { throw ProvenanceError.invalid("namespace", "is required") }
        return name
    }

    /// A path parameter as text, which may hold no NUL character.
    func text(_ name: String) throws(ProvenanceError) -> String {
        let text = parameters.get(name) ?? ""
        try Validation.checkText(text, field: name)
        return text
    }

    func id(_ name: String = "id") throws -> Int64 {
        let text = parameters.get(name) ?? ""
        guard let id = Int64(text), id > 0 else { throw ProvenanceError.invalid(name, "expected a positive integer id, got '\(text)'") }
        return id
    }
}

extension Request {
    /// A query parameter, decoded as browsers and HTTP clients encode forms: `+` is a space and `%XX` a byte
    /// (so `curl --data-urlencode "filter=name = 'x'"` and Python's `requests` both work). A value with a NUL
    /// character (`%00`) is a 400 naming the parameter: nothing stored can hold one.
    func query(_ name: String) throws(ProvenanceError) -> String? {
        try queryString.value(name)
    }

    /// The query string, parsed (see `QueryString`).
    var queryString: QueryString { QueryString(parsing: uri.query) }

    func queryInt(_ name: String) throws -> Int64? {
        try queryString.integer(name)
    }
}
