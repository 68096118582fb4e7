import PostgresNIO

/// SQL text assembled piece by piece, with every value bound as a parameter (`$n`), never spliced into the text.
/// Only fixed fragments written in this module go into `text`.
struct SQLBuilder {
    private(set) var text = ""
    private(set) var bindings = PostgresBindings()
    private var count = 0

    /// Appends a fixed SQL fragment.
    mutating func append(_ fragment: String) {
        text += fragment
    }

    /// Binds `value` and returns its placeholder, cast to `type` when given (so the placeholder's type never
    /// depends on inference).
    mutating func bind<Value: PostgresNonThrowingEncodable>(_ value: Value, as type: String? = nil) -> String {
        bindings.append(value)
        count += 1
        return type.map { "$\(count)::\($0)" } ?? "$\(count)"
    }

    /// The statement.
    var query: PostgresQuery { PostgresQuery(unsafeSQL: text, binds: bindings) }
}
