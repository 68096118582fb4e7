/// The settings of one command, and the one way they are read: the default, then the environment variable, then the
/// flag, each later one winning.
public struct SettingsTable<Configuration>: Sendable {
    /// The settings, in the order help and the README list them.
    public let settings: [Setting<Configuration>]
    /// The configuration every setting starts from.
    public let defaults: @Sendable () -> Configuration

    /// Creates a table over a configuration whose defaults `defaults` makes.
    public init(defaults: @escaping @Sendable () -> Configuration, _ settings: [Setting<Configuration>]) {
        self.defaults = defaults
        self.settings = settings
    }

    /// The configuration `arguments` (`--name value` or `--name=value`) and `environment` describe.
    public func resolve(arguments: [String], environment: [String: String]) throws(ProvenanceError) -> Configuration {
        var configuration = defaults()
        for setting in settings {
            if let text = environment[setting.environmentVariable] {
                try Self.assign(setting, text, to: &configuration, source: setting.environmentVariable)
            }
        }
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            guard argument.hasPrefix("--") else {
                throw .invalid(argument, "unexpected argument; settings are given as --name value")
            }
            let (name, inline) = Self.split(argument.dropFirst(2))
            guard let setting = settings.first(where: { $0.name == name }) else {
                throw .invalid("--\(name)", "unknown option; --help lists them")
            }
            let followedByValue = remaining.first.map { !$0.hasPrefix("--") } ?? false
            guard let text = inline ?? (followedByValue || setting.valueWhenAlone == nil ? remaining.popFirst() : nil)
                ?? setting.valueWhenAlone
            else { throw .invalid(setting.flag, "needs a value") }
            try Self.assign(setting, text, to: &configuration, source: setting.flag)
        }
        return configuration
    }

    private static func assign(
        _ setting: Setting<Configuration>, _ text: String, to configuration: inout Configuration, source: String
    ) throws(ProvenanceError) {
        guard setting.assign(&configuration, text) else {
            throw .invalid(source, "expected \(setting.expected), got '\(text)'")
        }
    }

    private static func split(_ option: Substring) -> (name: String, value: String?) {
        guard let equals = option.firstIndex(of: "=") else { return (String(option), nil) }
        return (String(option[..<equals]), String(option[option.index(after: equals)...]))
    }

    /// The settings as `--help` shows them: a paragraph each, with the flag, the value, the help, the environment
    /// variable and the default.
    public var helpText: String {
        let defaults = self.defaults()
        return settings.map { setting in
            "\(setting.flag) \(setting.valueName): \(setting.help) "
                + "[\(setting.environmentVariable); default \(setting.describe(defaults))]"
        }.joined(separator: "\n\n")
    }

    /// The settings as the README's Markdown table.
    public var markdownTable: String {
        let defaults = self.defaults()
        let rows = settings.map { setting in
            "| `\(setting.flag)` | `\(setting.environmentVariable)` | `\(setting.describe(defaults))` | \(setting.help) |"
        }
        return (["| Flag | Environment variable | Default | What it does |", "| --- | --- | --- | --- |"] + rows)
            .joined(separator: "\n")
    }
}

extension SettingsTable {
    /// The table of just the settings named, in this table's order (for commands that take a few of them).
    public func restricted(to names: Set<String>) -> SettingsTable {
        SettingsTable(defaults: defaults, settings.filter { names.contains($0.name) })
    }
}
