import ProvenanceAPI
import ProvenanceCore
import ProvenanceStore

/// The readiness report of `/readyz`.
enum WireHealth {
    /// `{"status", "database", "migrations", "pool": {"state", "in_use", "size", "waiting"}}`: a busy pool is
    /// reported as such, and is not an unreachable database.
    static func json(_ readiness: StoreReadiness) -> JSON {
        [
            "status": .string(readiness.isReady ? "ready" : "unavailable"),
            "database": .string(readiness.reachable ? "reachable" : "unreachable"),
            "migrations": .string(readiness.migrated ? "applied" : readiness.reachable ? "pending" : "unknown"),
            "pool": [
                "state": .string(readiness.poolIsBusy ? "busy" : "available"),
                "in_use": .int(Int64(readiness.connectionsInUse)), "size": .int(Int64(readiness.connectionLimit)),
                "waiting": .int(Int64(readiness.waiting)),
            ],
        ]
    }
}
