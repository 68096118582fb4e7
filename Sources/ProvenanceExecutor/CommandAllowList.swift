/// The commands an executor started with `--allow-command` runs: those whose command line (program and
/// arguments joined by spaces) is one of the prefixes or continues one at a word or path boundary, so `python3`
/// allows `python3 train.py` but not `python3-evil`, and `/opt/steps/` allows the programs under that directory.
/// With no prefixes, every command runs.
struct CommandAllowList {
    let prefixes: [String]

    /// Why `command` may not run here; nil when it may.
    func refusal(of command: [String]) -> String? {
        guard !prefixes.isEmpty else { return nil }
        let line = command.joined(separator: " ")
        let allowed = prefixes.contains { prefix in
            guard line.hasPrefix(prefix) else { return false }
            guard line.count > prefix.count, !prefix.hasSuffix(" "), !prefix.hasSuffix("/") else { return true }
            return line[line.index(line.startIndex, offsetBy: prefix.count)] == " "
        }
        guard !allowed else { return nil }
        return "this executor runs only commands starting with \(prefixes.map { "'\($0)'" }.joined(separator: ", ")) (--allow-command); refused '\(line)'"
    }
}
