import ProvenanceCore
import ProvenanceTestSupport
import Testing

/// Configuration layers: a run's parameters from the pipeline's defaults, then the layers that match its labels
/// from global to customer, then its own; every run says where each parameter came from, and so does a run diff.
@Suite struct LayerTests {
    static let train: JSON = [
        "name": "train", "version": "1", "outputs": ["model": "Model"],
        "parameters": ["epochs": "INT", "learning_rate": "DOUBLE", "customer": "STRING"],
        "run": ["command": ["train", "{{parameters.epochs}}", "{{parameters.learning_rate}}", "{{outputs.model.uri}}"]],
    ]
    static let pipeline: JSON = [
        "name": "ranker",
        "parameters": [
            "epochs": ["type": "INT", "default": 4], "learning_rate": ["type": "DOUBLE", "default": 0.05],
            "customer": ["type": "STRING", "default": "acme"], "days": ["type": "INT", "default": 14],
        ],
        "steps": ["train": ["component": "train@1", "parameters": [
            "epochs": "{{parameters.epochs}}", "learning_rate": "{{parameters.learning_rate}}", "customer": "{{parameters.customer}}",
        ]]],
    ]

    static func register(_ server: TestServer) async throws {
        #expect(try await server.api(.POST, "/components", json: train).status == 201)
        #expect(try await server.api(.POST, "/pipelines", json: pipeline).status == 201)
    }

    static func from(_ run: JSON, _ name: String) -> String? {
        run["parameter_sources"]?[name]?.string("layer") ?? run["parameter_sources"]?[name]?.string("from")
    }

    @Test func theMostSpecificLayerWinsTheRunsOwnParametersWinOverAllAndEachSourceIsRecorded() async throws {
        try await withTestServer { server in
            try await Self.register(server)
            for (name, layer) in [
                ("everyone", ["level": "global", "parameters": ["epochs": 5, "not_a_parameter_here": 1]] as JSON),
                ("gold", ["level": "tier", "value": "gold", "parameters": ["learning_rate": 0.01, "epochs": 6]]),
                ("acme", ["level": "customer", "value": "acme", "pipeline": "ranker", "parameters": ["epochs": 9]]),
            ] {
                let reply = try await server.api(.PUT, "/layers/\(name)", json: layer)
                #expect(reply.status == 201, "\(reply.text)")
            }
            #expect(try await server.api(.PUT, "/layers/acme", json: ["level": "customer", "value": "acme", "pipeline": "ranker", "parameters": ["epochs": 9]]).status == 200)

            let gold = try await server.api(.POST, "/runs", json: [
                "pipeline": "ranker", "labels": ["tier": "gold", "customer": "acme"], "parameters": ["days": 3],
            ]).json
            #expect(gold["parameters"]?["epochs"] == 9 && gold["parameters"]?["learning_rate"] == 0.01)
            #expect(gold["parameters"]?["days"] == 3 && gold["parameters"]?["customer"] == "acme")
            #expect(Self.from(gold, "epochs") == "acme" && Self.from(gold, "learning_rate") == "gold")
            #expect(Self.from(gold, "days") == "run" && Self.from(gold, "customer") == "default")
            #expect(gold["parameter_sources"]?["epochs"]?.string("level") == "customer")

            let silver = try await server.api(.POST, "/runs", json: ["pipeline": "ranker", "labels": ["tier": "silver", "customer": "initech"]]).json
            #expect(silver["parameters"]?["epochs"] == 5 && silver["parameters"]?["learning_rate"] == 0.05)
            #expect(Self.from(silver, "epochs") == "everyone" && Self.from(silver, "learning_rate") == "default")
            // The run's own value wins over every layer.
            let own = try await server.api(.POST, "/runs", json: ["pipeline": "ranker", "labels": ["tier": "gold"], "parameters": ["epochs": 1]]).json
            #expect(own["parameters"]?["epochs"] == 1 && Self.from(own, "epochs") == "run")

            // "Why did acme train with learning rate 0.01?": the run diff says which layer set it.
            let diff = try await server.api(.GET, "/runs/\(gold.int("id")):diff?with=\(silver.int("id"))").json
            #expect(diff["parameters"]?["learning_rate"]?["from"]?["a"] == "layer gold (tier=gold)", "\(diff["parameters"] ?? .null)")
            #expect(diff["parameters"]?["learning_rate"]?["from"]?["b"] == "default")
            let details = try await server.api(.GET, "/runs/\(gold.int("id"))").json
            #expect(Self.from(details, "learning_rate") == "gold")
        }
    }

    @Test func overlappingAndBadLayersAreRefused() async throws {
        try await withTestServer { server in
            try await Self.register(server)
            #expect(try await server.api(.PUT, "/layers/gold", json: ["level": "tier", "value": "gold", "parameters": ["epochs": 6]]).status == 201)
            #expect(try await server.api(.PUT, "/layers/silver-ranker", json: ["level": "tier", "value": "silver", "pipeline": "ranker"]).status == 201)
            for (name, layer) in [
                ("gold-again", ["level": "tier", "value": "gold"] as JSON),
                ("gold-ranker", ["level": "tier", "value": "gold", "pipeline": "ranker"]),
                ("silver-all", ["level": "tier", "value": "silver"]),
            ] {
                let reply = try await server.api(.PUT, "/layers/\(name)", json: layer)
                #expect(reply.status == 409, "\(name): \(reply.text)")
                #expect(reply.errorMessage.contains("two layers at one level"), "\(reply.errorMessage)")
            }
            // Another pipeline's silver layer does not overlap the ranker's.
            #expect(try await server.api(.PUT, "/layers/silver-other", json: ["level": "tier", "value": "silver", "pipeline": "other"]).status == 201)
            let bad: [(JSON, String)] = [
                (["level": "team"], "level"), (["level": "global", "value": "x"], "value"), (["level": "tier"], "value"),
                (["level": "tier", "value": "a,b"], "labels.tier"), (["level": "tier", "value": "x", "templates": ["a": 1]], "templates.a"),
                (["level": "tier", "value": "x", "colour": "red"], "colour"),
            ]
            for (layer, field) in bad {
                let reply = try await server.api(.PUT, "/layers/bad", json: layer)
                #expect(reply.status == 400 && reply.json["error"]?["details"]?["field"] == .string(field), "\(layer): \(reply.text)")
            }
            // A layer value of the wrong type fails the run's submission, naming the layer.
            #expect(try await server.api(.PUT, "/layers/wrong", json: ["level": "customer", "value": "x", "parameters": ["epochs": "many"]]).status == 201)
            let refused = try await server.api(.POST, "/runs", json: ["pipeline": "ranker", "labels": ["customer": "x"]])
            #expect(refused.status == 400 && refused.json["error"]?["details"]?["field"] == "layers.wrong.parameters.epochs", "\(refused.text)")
            #expect(try await server.api(.DELETE, "/layers/wrong").status == 204)
            #expect(try await server.api(.POST, "/runs", json: ["pipeline": "ranker", "labels": ["customer": "x"]]).status == 201)
            #expect(try await server.api(.GET, "/layers/wrong").status == 404)
            #expect(try await server.api(.GET, "/layers").json.array("layers").map { $0.string("name") ?? "" } == ["gold", "silver-other", "silver-ranker"])
        }
    }
}

/// Resource templates: components name a profile; a layer swaps it per tier; tasks take its numbers and labels.
@Suite struct ResourceTemplateTests {
    @Test func tasksTakeTheirTemplatesNumbersAndALayerSwapsTheTemplatePerTier() async throws {
        try await withTestServer { server in
            let gpu = try await server.api(.PUT, "/resource-templates/gpu-train", json: [
                "cpu": 4, "memory_mb": 16000, "gpu": 1, "executor_labels": ["accelerator": "a100"],
            ])
            #expect(gpu.status == 201, "\(gpu.text)")
            #expect(try await server.api(.PUT, "/resource-templates/gpu-train-large", json: ["cpu": 8, "memory_mb": 64000, "gpu": 4]).status == 201)
            let unknown = try await server.api(.POST, "/components", json: [
                "name": "fit", "version": "1", "resources": ["template": "tpu"], "run": ["command": ["fit"]],
            ])
            #expect(unknown.status == 400 && unknown.json["error"]?["details"]?["field"] == "resources.template", "\(unknown.text)")
            let both = try await server.api(.POST, "/components", json: [
                "name": "fit", "version": "1", "resources": ["template": "gpu-train", "cpu": 2], "run": ["command": ["fit"]],
            ])
            #expect(both.status == 400 && both.json["error"]?["details"]?["field"] == "resources.cpu", "\(both.text)")
            #expect(try await server.api(.POST, "/components", json: [
                "name": "fit", "version": "1", "resources": ["template": "gpu-train"], "run": ["command": ["fit"]],
            ]).status == 201)
            #expect(try await server.api(.POST, "/pipelines", json: ["name": "fitting", "steps": ["fit": ["component": "fit@1"]]]).status == 201)
            #expect(try await server.api(.PUT, "/layers/platinum", json: [
                "level": "tier", "value": "platinum", "templates": ["gpu-train": "gpu-train-large"],
            ]).status == 201)

            // An executor without the template's accelerator: the task says no attached executor could take it.
            #expect(try await server.request(.POST, "/api/v1/executors", json: [
                "name": "cpu-only", "capacity": ["slots": 2, "cpu": 2, "memory_mb": 4096],
            ]).status == 201)
            func task(labels: JSON) async throws -> JSON {
                let run = try await server.api(.POST, "/runs", json: ["pipeline": "fitting", "labels": labels]).json
                return try await server.api(.GET, "/runs/\(run.int("id"))").json.array("tasks")[0]
            }
            let standard = try await task(labels: ["tier": "gold"])
            #expect(standard["resources"]?["gpu"] == 1 && standard["resources"]?["memory_mb"] == 16000, "\(standard)")
            #expect(standard["executor_labels"]?["accelerator"] == "a100", "\(standard)")
            #expect(standard.string("wait_reason") == "no attached executor has the labels accelerator=a100", "\(standard)")
            let platinum = try await task(labels: ["tier": "platinum"])
            #expect(platinum["resources"]?["gpu"] == 4 && platinum["resources"]?["cpu"] == 8.0, "\(platinum)")

            // A template deleted under a component fails the submission, naming the step.
            #expect(try await server.api(.DELETE, "/resource-templates/gpu-train").status == 204)
            let refused = try await server.api(.POST, "/runs", json: ["pipeline": "fitting"])
            #expect(refused.status == 400 && refused.json["error"]?["details"]?["field"] == "steps.fit.resources.template", "\(refused.text)")
            #expect(try await server.api(.GET, "/resource-templates").json.array("resource_templates").count == 1)
        }
    }
}
