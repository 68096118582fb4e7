import Foundation
import ProvenanceCore
import ProvenanceServer
import ProvenanceTestSupport
import Testing

/// A request that holds the database for long (a hostile filter, a statement stuck behind a lock) must not take
/// the store down: it is stopped by the statement timeout, stopped in PostgreSQL when its client leaves, never
/// taken for an outage, and never keeps the server from shutting down. The statements here wait on a table lock a
/// test session holds, which makes them as slow as needed without depending on the machine's speed.
@Suite struct ExpensiveRequestTests {
    @Test func aStatementOverTheTimeoutIsA503ThatSaysSoAndTheDatabaseStaysReachable() async throws {
        try await withTestServer(configure: { $0.statementTimeout = .seconds(1) }) { server in
            let session = try await DatabaseSession.open(server.server.store)
            defer { Task { await session.close() } }
            try await session.lock("artifacts")
            let reply = try await server.api(.GET, "/artifacts")
            #expect(reply.status == 503)
            #expect(reply.errorCode == "deadline_exceeded")
            #expect(reply.errorMessage.contains("statement timeout (1s)"), "\(reply.errorMessage)")
            #expect(reply.headers.first(name: "Retry-After") == "1")
            let ready = try await server.request(.GET, "/readyz")
            #expect(ready.status == 200, "a slow statement is not an outage: \(ready.json)")
            try await session.release()
            #expect(try await server.api(.GET, "/artifacts").status == 200)
        }
    }

    @Test func aClientThatHangsUpHasItsStatementCancelledInPostgreSQL() async throws {
        try await withTestServer { server in
            let session = try await DatabaseSession.open(server.server.store)
            defer { Task { await session.close() } }
            try await session.lock("artifacts")
            try await withRawConnection(port: server.port) { connection in
                try await connection.send("GET /api/v1/namespaces/default/artifacts HTTP/1.1\r\nHost: test\r\n\r\n")
                #expect(try await session.waitUntilWaitingStatements { $0 == 1 }, "the request's statement waits")
            }
            // The client is gone and the lock still held: only a cancel can end the statement.
            #expect(try await session.waitUntilWaitingStatements { $0 == 0 }, "the statement was cancelled")
            try await session.release()
            #expect(try await server.api(.GET, "/artifacts").status == 200)
        }
    }

    @Test func aBusyPoolIsReportedAsBusyNotAsAnUnreachableDatabase() async throws {
        // The wait covers opening a connection too, which took over 2 s in CI with every suite starting at once:
        // both holders were refused before they held anything. 8 s leaves room for that.
        try await withTestServer(configure: { $0.databaseConnections = 2; $0.connectionWait = .seconds(8) }) { server in
            let session = try await DatabaseSession.open(server.server.store)
            defer { Task { await session.close() } }
            try await session.lock("artifacts")
            let holders = (0..<2).map { _ in Task { try await server.api(.GET, "/artifacts").status } }
            #expect(try await session.waitUntilWaitingStatements { $0 == 2 }, "both pooled connections are held")
            let waiting = try await server.api(.GET, "/executions")
            #expect(waiting.status == 503)
            #expect(waiting.errorCode == "unavailable")
            #expect(waiting.errorMessage.contains("all 2 database connections stayed busy for 8 s"), "\(waiting.errorMessage)")
            let ready = try await server.request(.GET, "/readyz")
            #expect(ready.status == 200)
            #expect(ready.json["database"] == "reachable")
            #expect(ready.json["pool"]?["state"] == "busy")
            #expect(ready.json["pool"]?["in_use"] == 2)
            try await session.release()
            for holder in holders { #expect(try await holder.value == 200) }
            #expect(try await server.api(.GET, "/executions").status == 200, "no outage was recorded")
        }
    }

    @Test(.timeLimit(.minutes(2))) func shutdownLetsRequestsInFlightFinishWithinTheGracePeriod() async throws {
        var config = ServerConfiguration(httpPort: 0, grpcPort: 0, logLevel: .warning)
        config.databaseURL = try await TestCluster.shared.freshDatabase().url
        config.databaseConnections = TestCluster.connectionsPerServer
        config.connectionWait = TestCluster.connectionWait
        config.shutdownGrace = .seconds(30)
        let server = try await buildServer(config: config, handleSignals: false)
        let running = Task { try await server.run() }
        let port = await server.listeningHTTPPort()
        let session = try await DatabaseSession.open(server.store)
        try await session.lock("artifacts")
        let inFlight = Task {
            try await withRawConnection(port: port) { connection in
                try await connection.send("GET /api/v1/namespaces/default/artifacts HTTP/1.1\r\nHost: test\r\n\r\n")
                return String(decoding: try await connection.readUntilClosed(), as: UTF8.self)
            }
        }
        #expect(try await session.waitUntilWaitingStatements { $0 == 1 })
        await server.shutdown()
        // Shutdown has begun once the listener is closed; only then may the request's statement go on.
        try await waitUntilRefusingConnections(port: port)
        try await session.release()
        #expect(try await inFlight.value.hasPrefix("HTTP/1.1 200"), "the request in flight was answered")
        try await running.value
        await session.close()
    }

    @Test(.timeLimit(.minutes(2))) func shutdownCancelsRequestsStillRunningAfterTheGracePeriod() async throws {
        var config = ServerConfiguration(httpPort: 0, grpcPort: 0, logLevel: .warning)
        config.databaseURL = try await TestCluster.shared.freshDatabase().url
        config.databaseConnections = TestCluster.connectionsPerServer
        config.connectionWait = TestCluster.connectionWait
        config.shutdownGrace = .seconds(1)
        let server = try await buildServer(config: config, handleSignals: false)
        let running = Task { try await server.run() }
        let port = await server.listeningHTTPPort()
        let session = try await DatabaseSession.open(server.store)
        try await session.lock("artifacts")
        let stuck = Task {
            try await withRawConnection(port: port) { connection in
                try await connection.send("GET /api/v1/namespaces/default/artifacts HTTP/1.1\r\nHost: test\r\n\r\n")
                return try await connection.readUntilClosed()
            }
        }
        #expect(try await session.waitUntilWaitingStatements { $0 == 1 })
        await server.shutdown()
        // The server stops although the statement could never finish by itself (the lock is still held).
        try await running.value
        _ = try? await stuck.value
        #expect(try await session.waitingStatements() == 0, "the statement was cancelled, not left running")
        try await session.release()
        await session.close()
    }
}
