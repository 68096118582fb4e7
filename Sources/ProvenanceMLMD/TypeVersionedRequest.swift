/// A request that names a type by name and, optionally, version.
protocol TypeVersionedRequest {
    var hasTypeVersion: Bool { get }
    var typeVersion: String { get }
}

extension TypeVersionedRequest {
    /// The version asked for; an empty one means none, as in MLMD.
    var requestedTypeVersion: String? { hasTypeVersion && !typeVersion.isEmpty ? typeVersion : nil }
}

extension MlMetadata_GetArtifactTypeRequest: TypeVersionedRequest {}
extension MlMetadata_GetExecutionTypeRequest: TypeVersionedRequest {}
extension MlMetadata_GetContextTypeRequest: TypeVersionedRequest {}
extension MlMetadata_GetArtifactsByTypeRequest: TypeVersionedRequest {}
extension MlMetadata_GetExecutionsByTypeRequest: TypeVersionedRequest {}
extension MlMetadata_GetContextsByTypeRequest: TypeVersionedRequest {}
extension MlMetadata_GetArtifactByTypeAndNameRequest: TypeVersionedRequest {}
extension MlMetadata_GetExecutionByTypeAndNameRequest: TypeVersionedRequest {}
extension MlMetadata_GetContextByTypeAndNameRequest: TypeVersionedRequest {}
