import GRPCCore
import GRPCNIOTransportHTTP2
import ProvenanceTestSupport
import Testing

@testable import ProvenanceMLMD

typealias MLMDClient = MlMetadata_MetadataStoreService.Client<HTTP2ClientTransport.Posix>

/// Runs `body` with a gRPC client of the test server's MLMD service (the generated client, over real HTTP/2).
func withMLMDClient(_ server: TestServer, _ body: (MLMDClient) async throws -> Void) async throws {
    let transport = try HTTP2ClientTransport.Posix(
        target: .ipv4(address: "127.0.0.1", port: server.grpcPort), transportSecurity: .plaintext)
    try await withGRPCClient(transport: transport) { client in
        try await body(MLMDClient(wrapping: client))
    }
}

/// Expects `body` to fail with the gRPC status `code`, returning the error's message.
@discardableResult
func expectStatus(_ code: RPCError.Code, _ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation)
    async -> String
{
    do {
        try await body()
        Issue.record("expected \(code), the call succeeded", sourceLocation: sourceLocation)
    } catch let error as RPCError {
        #expect(error.code == code, "\(error.message)", sourceLocation: sourceLocation)
        return error.message
    } catch {
        Issue.record("expected an RPCError, got \(error)", sourceLocation: sourceLocation)
    }
    return ""
}

/// The request header choosing a namespace.
func namespaceHeader(_ name: String) -> Metadata {
    [MetadataStoreService.namespaceHeader: .string(name)]
}

/// Types of a small training pipeline, put over gRPC: Dataset and Model artifacts, a Trainer, a Pipeline context.
struct PipelineTypes {
    var dataset: Int64 = 0
    var model: Int64 = 0
    var trainer: Int64 = 0
    var pipeline: Int64 = 0

    static func put(_ client: MLMDClient, metadata: Metadata = [:]) async throws -> PipelineTypes {
        let response = try await client.putTypes(
            .with {
                $0.artifactTypes = [
                    .with {
                        $0.name = "Dataset"
                        $0.baseType = .dataset
                        $0.properties = ["rows": .int]
                    },
                    .with {
                        $0.name = "Model"
                        $0.baseType = .model
                        $0.properties = ["accuracy": .double]
                    },
                ]
                $0.executionTypes = [.with { $0.name = "Trainer"; $0.properties = ["epochs": .int] }]
                $0.contextTypes = [.with { $0.name = "Pipeline" }]
            }, metadata: metadata)
        return PipelineTypes(
            dataset: response.artifactTypeIds[0], model: response.artifactTypeIds[1],
            trainer: response.executionTypeIds[0], pipeline: response.contextTypeIds[0])
    }

    /// A PutExecution request: a dataset read and a model written by a trainer, in pipeline `pipeline`.
    func trainingRun(dataset: String = "ds-1", pipeline: String = "p1") -> MlMetadata_PutExecutionRequest {
        .with {
            $0.execution = .with {
                $0.typeID = trainer
                $0.lastKnownState = .complete
                $0.properties = ["epochs": .with { $0.intValue = 10 }]
            }
            $0.artifactEventPairs = [
                .with {
                    $0.artifact = .with {
                        $0.typeID = self.dataset
                        $0.uri = "s3://data/\(dataset)"
                        $0.externalID = dataset
                        $0.properties = ["rows": .with { $0.intValue = 1000 }]
                    }
                    $0.event = .with { $0.type = .input }
                },
                .with {
                    $0.artifact = .with {
                        $0.typeID = model
                        $0.uri = "s3://models/m"
                        $0.properties = ["accuracy": .with { $0.doubleValue = 0.93 }]
                    }
                    $0.event = .with { $0.type = .output }
                },
            ]
            $0.contexts = [.with { $0.typeID = self.pipeline; $0.name = pipeline }]
            $0.options = .with { $0.reuseContextIfAlreadyExist = true }
        }
    }
}
