/// One configurable value of a command: its flag, its environment variable, its default and its help, and how a
/// text value is read into the command's configuration.
///
/// A command lists its settings once, in a `SettingsTable`; the command line, the environment, `--help` and the
/// README's table are all made from that list, so a default is never written twice.
public struct Setting<Configuration>: Sendable {
    /// The flag without its dashes (`http-port`).
    public let name: String
    /// What the value is, for help (`PORT`, `DURATION`).
    public let valueName: String
    /// One sentence on what the setting does.
    public let help: String
    /// What a value looks like, for errors (`a whole number from 1 to 65535`).
    public let expected: String
    /// The value a flag given alone means (`--public-metrics` is `--public-metrics true`); nil when a value must
    /// follow.
    public var valueWhenAlone: String? = nil
    /// Reads `text` into the configuration; false if it is not a value of the setting.
    let assign: @Sendable (inout Configuration, String) -> Bool
    /// The default as text, from a configuration with its defaults.
    let describe: @Sendable (Configuration) -> String

    /// Creates a setting from a parser and a printer of its value at `keyPath`.
    public init<Value>(
        _ name: String, _ keyPath: any WritableKeyPath<Configuration, Value> & Sendable, valueName: String, help: String,
        parse: @escaping @Sendable (String) -> Value?, expected: String,
        describe: @escaping @Sendable (Value) -> String
    ) {
        self.name = name
        self.valueName = valueName
        self.help = help
        self.expected = expected
        self.assign = { configuration, text in
            guard let value = parse(text) else { return false }
            configuration[keyPath: keyPath] = value
            return true
        }
        self.describe = { configuration in describe(configuration[keyPath: keyPath]) }
    }

    /// The command-line flag (`--http-port`).
    public var flag: String { "--" + name }

    /// The environment variable (`PROVENANCE_HTTP_PORT`).
    public var environmentVariable: String {
        "PROVENANCE_" + name.uppercased().replacing("-", with: "_")
    }
}

extension Setting {
    /// A whole number in `range`.
    public static func integer(
        _ name: String, _ keyPath: any WritableKeyPath<Configuration, Int> & Sendable, in range: ClosedRange<Int>,
        valueName: String = "N", help: String
    ) -> Setting {
        Setting(
            name, keyPath, valueName: valueName, help: help, parse: { Int($0).flatMap { range.contains($0) ? $0 : nil } },
            expected: "a whole number from \(range.lowerBound) to \(range.upperBound)", describe: { "\($0)" })
    }

    /// Any text.
    public static func text(
        _ name: String, _ keyPath: any WritableKeyPath<Configuration, String> & Sendable, valueName: String, help: String
    ) -> Setting {
        Setting(name, keyPath, valueName: valueName, help: help, parse: { $0 }, expected: "text", describe: { $0 })
    }

    /// Text that may be absent (`none` by default).
    public static func optionalText(
        _ name: String, _ keyPath: any WritableKeyPath<Configuration, String?> & Sendable, valueName: String,
        help: String
    ) -> Setting {
        Setting(
            name, keyPath, valueName: valueName, help: help, parse: { $0.isEmpty ? nil : $0 }, expected: "text",
            describe: { $0 ?? "none" })
    }

    /// A duration written `250ms`, `30s`, `5m` or `1h`; `0` where `allowsZero` (which switches the limit off).
    public static func duration(
        _ name: String, _ keyPath: any WritableKeyPath<Configuration, Duration> & Sendable, allowsZero: Bool = false,
        help: String
    ) -> Setting {
        Setting(
            name, keyPath, valueName: "DURATION", help: help,
            parse: { text in SettingDuration.parse(text).flatMap { allowsZero || $0 > .zero ? $0 : nil } },
            expected: "a duration such as 500ms, 30s, 5m or 1h\(allowsZero ? " (0 for none)" : "")",
            describe: SettingDuration.describe)
    }

    /// `true` or `false`.
    public static func flag(
        _ name: String, _ keyPath: any WritableKeyPath<Configuration, Bool> & Sendable, help: String
    ) -> Setting {
        var setting = Setting(
            name, keyPath, valueName: "BOOL", help: help,
            parse: { ["true": true, "false": false][$0.lowercased()] }, expected: "true or false", describe: { "\($0)" })
        setting.valueWhenAlone = "true"
        return setting
    }
}

/// The text form of durations in settings.
public enum SettingDuration {
    /// Reads `250ms`, `30s`, `5m`, `1h`, `30d` (a bare number is seconds).
    public static func parse(_ text: String) -> Duration? {
        let units: [(suffix: String, duration: Duration)] = [
            ("ms", .milliseconds(1)), ("s", .seconds(1)), ("m", .seconds(60)), ("h", .seconds(3600)), ("d", .seconds(86400)),
        ]
        for unit in units where text.hasSuffix(unit.suffix) {
            guard let number = Int(text.dropLast(unit.suffix.count)), number >= 0, number <= 1_000_000_000 else {
                return nil
            }
            return unit.duration * number
        }
        guard let seconds = Int(text), seconds >= 0, seconds <= 1_000_000_000 else { return nil }
        return .seconds(seconds)
    }

    /// The shortest exact text of `duration` in the units `parse` reads.
    public static func describe(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds == 0 { return "0" }
        if milliseconds % 3_600_000 == 0 { return "\(milliseconds / 3_600_000)h" }
        if milliseconds % 60_000 == 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }
}
