import Logging
import ProvenanceStore

/// A store that never connects (its pool is never run): enough to build a router or a service and list what it
/// serves, without a database.
public func offlineStore() throws -> PostgresStore {
    try PostgresStore(
        endpoint: DatabaseEndpoint(location: .tcp(host: "127.0.0.1", port: 1), username: "unused", database: "unused"),
        logger: Logger(label: "offline"))
}
