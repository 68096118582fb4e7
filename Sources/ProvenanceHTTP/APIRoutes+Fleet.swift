import Foundation
import Hummingbird
import ProvenanceAPI
import ProvenanceCore

extension APIRoutes {
    /// The fleet view: `GET .../fleet?pipeline=NAME&label=customer&stale_after=48h`.
    func registerFleet(_ namespace: RouterGroup<APIRequestContext>) {
        namespace.get("fleet") { request, context in
            let query = request.queryString
            guard let pipeline = try query.value("pipeline") else { throw ProvenanceError.invalid("pipeline", "is required") }
            let label = try query.value("label") ?? "customer"
            var staleAfter: Int64 = 48 * 3_600_000_000
            if let text = try query.value("stale_after") {
                guard let duration = SettingDuration.parse(text), duration > .zero else {
                    throw ProvenanceError.invalid("stale_after", "expected a duration such as 36h or 7d, got '\(text)'")
                }
                staleAfter = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
            }
            let entries = try await store.fleet(
                pipeline: pipeline, label: label, staleAfter: staleAfter, namespace: try context.namespace())
            let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
            return JSONResponse.make(WireFleet.json(entries, pipeline: pipeline, label: label, now: now))
        }
    }
}
