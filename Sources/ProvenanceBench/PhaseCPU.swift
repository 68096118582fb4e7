import Foundation

/// The CPU time a timed phase cost each party on this machine: the server (from its `/metrics`), the embedded
/// PostgreSQL cluster (its postmaster and every backend, from /proc) and the benchmark client itself. A party that
/// cannot be measured (a remote database, a server without metrics) is nil.
struct PhaseCPU {
    var server: Double?
    var database: Double?
    var client: Double

    /// "CPU µs/record: server 37, database 81, client 9", per `items` items of `unit`.
    func line(per items: Double, unit: String) -> String {
        func micros(_ seconds: Double?) -> String {
            seconds.map { String(Int(($0 / items * 1_000_000).rounded())) } ?? "?"
        }
        let parties = [("server", server), ("database", database), ("bench client", client)]
        return "CPU µs/\(unit): " + parties.map { "\($0.0) \(micros($0.1))" }.joined(separator: ", ")
    }
}

/// Reads the CPU time used so far by an embedded cluster's processes.
struct ClusterCPU {
    let postmaster: Int32

    /// The cluster whose postmaster.pid is in `dataDirectory`, or nil when it is not running here.
    init?(dataDirectory: String?) {
        guard let dataDirectory,
            let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
            let first = text.split(separator: "\n").first, let pid = Int32(first)
        else { return nil }
        postmaster = pid
    }

    /// User plus system seconds of the postmaster, its live children and the children it has reaped.
    func seconds() -> Double {
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        var ticks = 0
        let processes = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in processes where entry.first?.isNumber == true {
            guard let fields = Self.statFields(entry) else { continue }
            // After the command name: [0] state, [1] ppid, ..., [11] utime, [12] stime, [13] cutime, [14] cstime.
            if Int32(entry) == postmaster {
                ticks += fields[11...14].reduce(0) { $0 + (Int($1) ?? 0) }
            } else if Int32(fields[1]) == postmaster {
                ticks += (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
            }
        }
        return Double(ticks) / ticksPerSecond
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
