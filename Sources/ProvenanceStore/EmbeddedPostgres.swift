import Foundation
import Logging
import PostgresNIO
import ProvenanceCore

/// A PostgreSQL cluster that Provenance runs itself, from the machine's PostgreSQL binaries, in a data directory
/// it owns, listening on a Unix socket only.
///
/// PostgreSQL refuses to run as root, so when we are root the cluster runs as an unprivileged user (by default
/// `postgres`) that is given the data directory. The cluster outlives a crash of our process; the next start
/// finds it running and reuses it.
public struct EmbeddedPostgres: Sendable {
    /// The role and database the server uses inside the cluster.
    public static let role = "provenance"
    /// The database the server uses inside the cluster.
    public static let database = "provenance"
    /// The user that runs the cluster when we are root.
    public static let defaultSystemUser = "postgres"
    /// Unix socket paths are limited to about 107 bytes; longer data directory paths put the socket in /tmp.
    static let maximumSocketPathLength = 100
    /// Settings every embedded cluster runs with.
    ///
    /// `wal_init_zero=off`: PostgreSQL fills each new 16 MB WAL segment with zeros before using it, under the lock
    /// every commit waits for. On ext4 or xfs that stalls every commit for about 20 ms once per 16 MB of WAL (every
    /// 4,200 records of a `lineage:record` stream), and until the first checkpoints a fresh cluster has no old
    /// segments to recycle instead. Off, a new segment is created at its full size without the zeros. Durability is
    /// unchanged: a commit still waits for `fdatasync`, which also persists the blocks the file system allocates.
    ///
    /// `autovacuum_naptime=10s` (PostgreSQL's default is a minute): the server's frequent statements keep plans
    /// made from the statistics of their tables, which are re-made when autovacuum analyzes a table that grew. A
    /// new server's tables grow from nothing within seconds (one run queues ten thousand tasks); with a minute
    /// between looks, a 10,000-task fan-out/fan-in run took 40-44 s in three runs of the benchmark instead of
    /// 18-23 s, its lineage writes running on plans made for empty tables.
    ///
    /// `jit=off`: PostgreSQL compiles a query whose estimated cost passes `jit_above_cost` to machine code first, which
    /// pays off for long analytic scans, not for the server's short statements: reading the details of a
    /// 5,000-task run took 53 ms with it and 23 ms without, 11 ms of it spent compiling.
    public static let defaultSettings = ["wal_init_zero": "off", "autovacuum_naptime": "10s", "jit": "off"]

    /// The data directory (absolute).
    public let dataDirectory: String
    /// The port number, which for a Unix socket only names the socket file.
    public let port: Int
    /// Server settings (`-c name=value`): `defaultSettings`, then the extra ones given (which win), for example
    /// relaxed durability for throwaway test clusters.
    public let settings: [String: String]
    /// Where the server binaries are.
    public let binDirectory: String
    let logger: Logger

    /// Prepares a cluster description; nothing runs until `start()`. Throws if no PostgreSQL binaries are found.
    public init(dataDirectory: String, port: Int = 5432, settings: [String: String] = [:], logger: Logger) throws(ProvenanceError) {
        let absolute = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        self.dataDirectory = absolute
        self.port = port
        self.settings = Self.defaultSettings.merging(settings) { _, given in given }
        self.binDirectory = try Self.locateBinaries()
        self.logger = logger
    }

    /// The directory holding the server's Unix socket.
    public var socketDirectory: String {
        if dataDirectory.utf8.count + 20 <= Self.maximumSocketPathLength { return dataDirectory }
        return "/tmp/provenance-pg-\(Digest.sha256(text: dataDirectory).prefix(16))"
    }

    /// How to reach the cluster's `provenance` database once started.
    public var endpoint: DatabaseEndpoint {
        DatabaseEndpoint(
            location: .unixSocket(path: "\(socketDirectory)/.s.PGSQL.\(port)"), username: Self.role,
            database: Self.database)
    }

    /// Finds initdb, pg_ctl and postgres: `PROVENANCE_POSTGRES_BIN`, then the newest /usr/lib/postgresql/*/bin,
    /// then the PATH.
    static func locateBinaries() throws(ProvenanceError) -> String {
        let fileManager = FileManager.default
        var candidates: [String] = []
        if let configured = ProcessInfo.processInfo.environment["PROVENANCE_POSTGRES_BIN"] { candidates.append(configured) }
        let versions = (try? fileManager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            candidates.append("/usr/lib/postgresql/\(version)/bin")
        }
        candidates.append(contentsOf: ["/opt/homebrew/bin", "/usr/local/bin"])
        candidates.append(contentsOf: (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init))
        if let found = candidates.first(where: { fileManager.isExecutableFile(atPath: "\($0)/initdb") && fileManager.isExecutableFile(atPath: "\($0)/pg_ctl") }) {
            return found
        }
        throw ProvenanceError(
            .failedPrecondition,
            """
            PostgreSQL server binaries (initdb, pg_ctl) were not found. Install PostgreSQL 15 or newer \
            (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@16), set \
            PROVENANCE_POSTGRES_BIN to their directory, or use an existing server with --database-url \
            (PROVENANCE_DATABASE_URL).
            """)
    }

    /// Initializes the data directory if needed, starts the cluster unless it is already running, and makes sure
    /// the `provenance` database exists. Returns its endpoint.
    @discardableResult
    public func start() async throws -> DatabaseEndpoint {
        let fileManager = FileManager.default
        try fileManager.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        try prepareDirectory(dataDirectory, mode: 0o700)
        if socketDirectory != dataDirectory {
            try fileManager.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
            try prepareDirectory(socketDirectory, mode: 0o700)
        }
        if !fileManager.fileExists(atPath: "\(dataDirectory)/PG_VERSION") {
            logger.info("initializing PostgreSQL data directory", metadata: ["path": "\(dataDirectory)"])
            try run("initdb", ["-D", dataDirectory, "-U", Self.role, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-instructions"])
        }
        if let status = try? run("pg_ctl", ["-D", dataDirectory, "status"]) {
            // Left running by a server that was killed (the data directory lock proves no server owns it now).
            let pid = status.split(separator: "\n").first.map(String.init) ?? status
            logger.notice(
                "adopting the embedded PostgreSQL left running by an earlier server",
                metadata: ["dataDirectory": "\(dataDirectory)", "postmaster": "\(pid)"])
        } else {
            var options = ["-c listen_addresses=''", "-k '\(socketDirectory)'", "-p \(port)"]
            for (name, value) in settings.sorted(by: { $0.key < $1.key }) { options.append("-c \(name)=\(value)") }
            logger.info("starting embedded PostgreSQL", metadata: ["socket": "\(socketDirectory)"])
            try run("pg_ctl", ["-D", dataDirectory, "-l", "\(dataDirectory)/postgres.log", "-w", "-t", "60", "-o", options.joined(separator: " "), "start"])
        }
        try await createDatabaseIfMissing()
        return endpoint
    }

    /// Stops the cluster, letting connected sessions finish their current transaction first.
    public func stop() throws {
        logger.info("stopping embedded PostgreSQL")
        try run("pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "-t", "60", "stop"])
    }

    private func createDatabaseIfMissing() async throws {
        let maintenance = endpoint.with(database: "postgres")
        let connection = try await PostgresConnection.connect(
            configuration: try maintenance.connectionConfiguration(), id: 0, logger: logger)
        do {
            let rows = try await connection.query(
                "SELECT count(*) FROM pg_database WHERE datname = \(Self.database)", logger: logger)
            for try await count in rows.decode(Int64.self) where count == 0 {
                try await connection.query("CREATE DATABASE \(unescaped: Self.database)", logger: logger)
            }
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    private var runsAsOtherUser: Bool { geteuid() == 0 }

    private var systemUser: String {
        ProcessInfo.processInfo.environment["PROVENANCE_POSTGRES_USER"] ?? Self.defaultSystemUser
    }

    /// Restricts a directory to the cluster's user (handing it over when we are root).
    private func prepareDirectory(_ path: String, mode: Int) throws {
        if runsAsOtherUser {
            let status = try ChildProcess.run("/bin/chown", ["-R", "\(systemUser):", path], outputPath: "/dev/null")
            guard status == 0 else {
                throw ProvenanceError(
                    .failedPrecondition,
                    "cannot hand \(path) to user '\(systemUser)' (PostgreSQL refuses to run as root); create that user or set PROVENANCE_POSTGRES_USER")
            }
        }
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    /// Runs a PostgreSQL program to completion, as the cluster's user; a failure carries the program's output.
    @discardableResult
    private func run(_ program: String, _ arguments: [String]) throws -> String {
        let executable = "\(binDirectory)/\(program)"
        let command = runsAsOtherUser ? ("/usr/sbin/runuser", ["-u", systemUser, "--", executable] + arguments) : (executable, arguments)
        // Output goes to a file, not a pipe: the postmaster that pg_ctl starts would inherit a pipe and keep it open.
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("provenance-\(program)-\(UInt32.random(in: 0...UInt32.max)).log").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let status = try ChildProcess.run(command.0, command.1, outputPath: outputPath)
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw ProvenanceError(
                .unavailable, "\(program) failed (exit \(status)): \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return text
    }
}
