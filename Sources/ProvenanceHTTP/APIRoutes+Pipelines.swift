import Hummingbird
import ProvenanceAPI
import ProvenanceCore

extension APIRoutes {
    /// Components and pipelines: registration (JSON or YAML) and reads.
    func registerPipelines(_ namespace: RouterGroup<APIRequestContext>) {
        namespace.post("components") { request, context in
            let spec = try ComponentSpec(json: try await JSONResponse.spec(of: request, limit: limits.maximumBodyBytes))
            let (component, created) = try await store.registerComponent(spec, namespace: try context.namespace())
            return JSONResponse.make(WirePipeline.json(component), status: created ? .created : .ok)
        }
        namespace.get("components") { request, context in
            let components = try await store.listComponents(namespace: try context.namespace(), name: try request.query("name"))
            return JSONResponse.make(["components": .array(components.map(WirePipeline.json))])
        }
        namespace.get("components/{name}/versions/{version}") { _, context in
            let reference = ComponentReference(name: try context.text("name"), version: try context.text("version"))
            return JSONResponse.make(WirePipeline.json(try await store.component(reference, namespace: try context.namespace())))
        }
        namespace.post("pipelines") { request, context in
            let spec = try PipelineSpec(json: try await JSONResponse.spec(of: request, limit: limits.maximumBodyBytes))
            let (version, created) = try await store.applyPipeline(spec, namespace: try context.namespace())
            return JSONResponse.make(WirePipeline.json(version), status: created ? .created : .ok)
        }
        namespace.get("pipelines") { _, context in
            let pipelines = try await store.listPipelines(namespace: try context.namespace())
            return JSONResponse.make(["pipelines": .array(pipelines.map(WirePipeline.json))])
        }
        namespace.get("pipelines/{name}") { _, context in
            let versions = try await store.pipelineVersions(try context.text("name"), namespace: try context.namespace())
            return JSONResponse.make(WirePipeline.json(
                StoredPipeline(name: versions[0].spec.name, latest: versions[0], versionCount: versions.count)))
        }
        namespace.get("pipelines/{name}/versions") { _, context in
            let versions = try await store.pipelineVersions(try context.text("name"), namespace: try context.namespace())
            return JSONResponse.make(["versions": .array(versions.map(WirePipeline.json))])
        }
        namespace.get("pipelines/{name}/versions/{version}") { _, context in
            let version = try await store.pipelineVersion(
                try context.text("name"), digest: try context.text("version"), namespace: try context.namespace())
            return JSONResponse.make(WirePipeline.json(version))
        }
    }
}
