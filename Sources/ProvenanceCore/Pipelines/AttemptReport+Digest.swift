/// The idempotency digests of an executor's reports: the same report sent again (a retried request) has the same
/// digest and is answered as a repeat; any other report for the same attempt is a conflict.
extension AttemptReport {
    /// The SHA-256 of the report (see `Digest`): every output's name, URI, state and properties.
    public var digest: String {
        Digest.sha256 { encoding in
            encoding.append("attempt-succeeded/1")
            encoding.append(outputs.count)
            for name in outputs.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                let output = outputs[name]!
                encoding.append(name)
                encoding.append(output.uri)
                encoding.append(output.state.map(Int64.init))
                encoding.append(output.properties.mapValues(\.digestJSON))
                encoding.append(output.customProperties.mapValues(\.digestJSON))
            }
        }
    }
}

extension AttemptFailure {
    /// The SHA-256 of the report (see `Digest`): the error, the exit code, and whether the run was cancelled.
    public var digest: String {
        Digest.sha256 { encoding in
            encoding.append("attempt-failed/1")
            encoding.append(canceled)
            encoding.append(exitCode.map(Int64.init))
            encoding.append(error)
        }
    }
}

extension PropertyInput {
    /// The value as digested: a typed value in its tagged form, a bare one as given (so `5` and `{"int": 5}`,
    /// which a type may read alike, still differ as reports).
    var digestJSON: JSON {
        switch self {
        case .typed(let value): .object([(key: "typed", value: value.taggedJSON)])
        case .json(let json): .object([(key: "json", value: json)])
        }
    }
}
