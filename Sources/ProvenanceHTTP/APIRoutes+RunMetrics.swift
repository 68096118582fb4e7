import Hummingbird
import ProvenanceAPI
import ProvenanceCore
import ProvenanceStore

extension APIRoutes {
    /// Metric series of runs and tasks (writes in batches, the run's series with their latest values, one series'
    /// points in pages, any number of runs' series downsampled alike), comparison tables and run diffs.
    func registerRunMetrics(_ namespace: RouterGroup<APIRequestContext>) {
        namespace.post("runs/{id}/metrics") { request, context in
            let batch = try MetricBatch(json: try await body(request))
            let written = try await store.writeMetrics(batch.points, to: .run(RunID(try context.id())), namespace: try context.namespace())
            return JSONResponse.make(MetricWriteAnswer(written: written.points, series: written.series).json)
        }
        namespace.post("tasks/{id}/metrics") { request, context in
            let batch = try MetricBatch(json: try await body(request))
            let written = try await store.writeMetrics(batch.points, to: .task(TaskID(try context.id())), namespace: try context.namespace())
            return JSONResponse.make(MetricWriteAnswer(written: written.points, series: written.series).json)
        }
        namespace.get("runs/{id}/metrics") { _, context in
            let series = try await store.metricSeries(ofRun: RunID(try context.id()), namespace: try context.namespace())
            return JSONResponse.make(MetricSeriesList(metrics: series).json)
        }
        namespace.get("runs/{id}/metrics:points") { request, context in
            try await metricPoints(request, context)
        }
        namespace.get("runs/{id}:diff") { request, context in
            guard let other = try request.queryString.integer("with") else {
                throw ProvenanceError.invalid("with", "is required: the id of the run to compare with")
            }
            let diff = try await store.diffRuns(RunID(try context.id()), RunID(other), namespace: try context.namespace())
            return JSONResponse.make(WireRunDiff.json(diff))
        }
        namespace.get("runs:compare") { request, context in
            let comparison = try RunComparisonRequest(query: request.queryString)
            let rows = try await store.compareRuns(comparison.query, namespace: try context.namespace())
            return JSONResponse.make(RunComparison(rows: rows).json)
        }
        namespace.get("metrics:downsample") { request, context in
            let query = try DownsampleQuery(query: request.queryString)
            let series = try await store.downsampledMetrics(query.selection, namespace: try context.namespace())
            return JSONResponse.make(DownsampledMetrics(series: series).json)
        }
        namespace.post("metrics:downsample") { request, context in
            let query = try DownsampleQuery(json: try await body(request))
            let series = try await store.downsampledMetrics(query.selection, namespace: try context.namespace())
            return JSONResponse.make(DownsampledMetrics(series: series).json)
        }
    }

    /// A page of one series' points, in the order written.
    private func metricPoints(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let run = RunID(try context.id())
        let query = request.queryString
        guard let name = try query.value("name"), !name.isEmpty else { throw ProvenanceError.invalid("name", "is required") }
        let task = try query.integer("task_id").map(TaskID.init)
        let size = try query.integer("page_size") ?? 1000
        guard (1...Int64(MetricPoint.maximumPerRequest)).contains(size) else {
            throw ProvenanceError.invalid("page_size", "must be between 1 and \(MetricPoint.maximumPerRequest)")
        }
        let fingerprint = "metrics|\(run.rawValue)|\(task?.rawValue ?? 0)|\(name)"
        let after = try query.value("page_token").flatMap { token throws(ProvenanceError) -> MetricPosition? in
            guard !token.isEmpty else { return nil }
            let cursor = try PageToken.decode(token, fingerprint: fingerprint)
            guard cursor.value >= 1, cursor.id >= 0 else { throw ProvenanceError.invalid("page_token", "is not one this listing issued") }
            return MetricPosition(chunk: Int(clamping: cursor.value), offset: Int(clamping: cursor.id))
        }
        let page = try await store.metricPoints(
            run: run, task: task, name: name, after: after, limit: Int(size), namespace: try context.namespace())
        let next = page.next.map { PageToken.encode(PageCursor(value: Int64($0.chunk), id: Int64($0.offset)), fingerprint: fingerprint) }
        return JSONResponse.make(MetricPointsPage(points: page.points, nextPageToken: next).json)
    }
}
