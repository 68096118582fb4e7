/// Which Provenance namespace the events of each OpenLineage job namespace land in.
///
/// OpenLineage namespaces are free text (`airflow://prod`, `spark-cluster-1`); Provenance's are 1 to 63 letters,
/// digits, '-', '_' and '.', because they are path segments. A namespace that is already a valid name maps to
/// itself; `mapping` (`--openlineage-namespaces airflow://prod=retail`) names the others, or overrides any; what is
/// left is made a name by turning each run of other characters into one '-' (`airflow://prod` -> `airflow-prod`).
public struct OpenLineageNamespaces: Sendable, Equatable {
    /// Explicit mappings, OpenLineage namespace to Provenance namespace.
    public var mapping: [String: String]

    /// Creates a mapping.
    public init(mapping: [String: String] = [:]) {
        self.mapping = mapping
    }

    /// Reads `ol=provenance,ol2=provenance2` (the setting's form); names are checked.
    public init(parsing text: String, field: String) throws(ProvenanceError) {
        var mapping: [String: String] = [:]
        for entry in text.split(separator: ",", omittingEmptySubsequences: true) {
            guard let equals = entry.lastIndex(of: "=") else {
                throw .invalid(field, "'\(entry)' is not OPENLINEAGE_NAMESPACE=NAMESPACE")
            }
            let source = entry[..<equals].trimmingWhitespace()
            let target = entry[entry.index(after: equals)...].trimmingWhitespace()
            guard !source.isEmpty else { throw .invalid(field, "'\(entry)' names no OpenLineage namespace") }
            try Validation.checkNamespaceName(target, field: field)
            guard mapping.updateValue(target, forKey: source) == nil else {
                throw .invalid(field, "the OpenLineage namespace '\(source)' is mapped twice")
            }
        }
        self.mapping = mapping
    }

    /// The Provenance namespace of the OpenLineage namespace `name`.
    public func namespace(for name: String) -> String {
        if let mapped = mapping[name] { return mapped }
        if (try? Validation.checkNamespaceName(name)) != nil { return name }
        var result: [UInt8] = []
        for byte in name.utf8 {
            let kept =
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
            if kept {
                result.append(byte)
            } else if let last = result.last, last != UInt8(ascii: "-") {
                result.append(UInt8(ascii: "-"))
            }
        }
        result = Array(result.drop { $0 == UInt8(ascii: "_") }.prefix(63))
        while result.last == UInt8(ascii: "-") { result.removeLast() }
        let text = String(decoding: result, as: UTF8.self)
        return text.isEmpty ? "openlineage" : text
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
