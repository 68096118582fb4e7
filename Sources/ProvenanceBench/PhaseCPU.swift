import Foundation

/// The CPU time a timed phase cost each party on this machine: the server (from its `/metrics`), the embedded
/// PostgreSQL cluster's backends (the sessions running the statements) and its background processes (checkpointer,
/// WAL writer, autovacuum: work that writes leave for later) from /proc, and the benchmark client itself. A party
/// that cannot be measured (a remote database, a server without metrics) is nil.
struct PhaseCPU {
    var server: Double?
    var database: ClusterCPU.Seconds?
    var client: Double

    /// "CPU µs/record: server 37, database 81 (+ background 3), bench client 9", per `items` items of `unit`.
    func line(per items: Double, unit: String) -> String {
        func micros(_ seconds: Double?) -> String {
            seconds.map { String(Int(($0 / items * 1_000_000).rounded())) } ?? "?"
        }
        let database = "database \(micros(self.database?.backends)) (+ background \(micros(self.database?.background)))"
        return "CPU µs/\(unit): server \(micros(server)), \(database), bench client \(micros(client))"
    }

    /// "CPU: server 0.2%, database 0.1% (+ background 0.3%), bench client 0.1%" of one core over `seconds`.
    func percentLine(of seconds: Double) -> String {
        func percent(_ cpu: Double?) -> String {
            cpu.map { String(format: "%.2f%%", $0 / seconds * 100) } ?? "?"
        }
        let database = "database \(percent(self.database?.backends)) (+ background \(percent(self.database?.background)))"
        return "CPU of one core: server \(percent(server)), \(database), bench client \(percent(client))"
    }

    /// How long `body` takes, in seconds, and the CPU time it cost: the server's as `serverSeconds` reads it
    /// (nil when there is no server to ask), the cluster's when `cluster` is known, and this process's.
    static func measure(
        cluster: ClusterCPU?, serverSeconds: () async throws -> Double?, _ body: () async throws -> Void
    ) async throws -> (elapsed: Double, cpu: PhaseCPU) {
        let before = (server: try await serverSeconds(), database: cluster?.seconds(), client: ownCPUSeconds())
        let elapsed = try await ProvenanceBench.measure(body)
        let after = (server: try await serverSeconds(), database: cluster?.seconds(), client: ownCPUSeconds())
        let cpu = PhaseCPU(
            server: before.server.flatMap { before in after.server.map { $0 - before } },
            database: before.database.flatMap { before in after.database.map { $0 - before } },
            client: after.client - before.client)
        return (elapsed, cpu)
    }
}

/// Reads the CPU time used so far by an embedded cluster's processes.
struct ClusterCPU {
    let postmaster: Int32

    /// CPU seconds of the sessions and of the background processes.
    struct Seconds {
        var backends: Double
        var background: Double

        static func - (after: Seconds, before: Seconds) -> Seconds {
            Seconds(backends: after.backends - before.backends, background: after.background - before.background)
        }
    }

    /// The cluster whose postmaster.pid is in `dataDirectory`, or nil when it is not running here.
    init?(dataDirectory: String?) {
        guard let dataDirectory,
            let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
            let first = text.split(separator: "\n").first, let pid = Int32(first)
        else { return nil }
        postmaster = pid
    }

    /// The processes PostgreSQL runs besides sessions, by the title it gives them.
    private static let backgroundTitles = [
        "checkpointer", "background writer", "walwriter", "autovacuum", "logical replication", "stats", "archiver",
    ]

    /// User plus system seconds of the live sessions, and of the postmaster and its other children.
    func seconds() -> Seconds {
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        var total = Seconds(backends: 0, background: 0)
        let processes = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in processes where entry.first?.isNumber == true {
            guard let fields = Self.statFields(entry) else { continue }
            // After the command name: [0] state, [1] ppid, ..., [11] utime, [12] stime.
            let isPostmaster = Int32(entry) == postmaster
            guard isPostmaster || Int32(fields[1]) == postmaster else { continue }
            let seconds = Double((Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)) / ticksPerSecond
            let title = (try? String(contentsOfFile: "/proc/\(entry)/cmdline", encoding: .utf8)) ?? ""
            if isPostmaster || Self.backgroundTitles.contains(where: { title.hasPrefix("postgres: " + $0) }) {
                total.background += seconds
            } else {
                total.backends += seconds
            }
        }
        return total
    }

    /// The fields of /proc/PID/stat after the parenthesized command name (which may hold spaces).
    private static func statFields(_ pid: String) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 14 ? fields : nil
    }
}

/// The CPU seconds this process has used.
func ownCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
