/// One token of a filter, with the text and 1-based character column it was written at (for error messages).
struct FilterToken: Sendable, Equatable {
    /// What the token is.
    enum Kind: Sendable, Equatable {
        /// A word or a dotted path of words: a keyword, a bare enum name or an attribute (`contexts_a.name`,
        /// ``properties.`my prop`.string_value``). The lexer keeps a path together so a part after a dot may start
        /// with a digit or be backquoted.
        case word([Part])
        /// A number as written (sign included); converted once the attribute's type is known.
        case number(isInteger: Bool)
        /// A quoted string, escapes resolved.
        case string(String)
        case openParen
        case closeParen
        case comma
        case comparison(FilterComparison)
        /// The end of the input; its column is one past the last character.
        case end
    }

    /// One dot-separated part of a word.
    struct Part: Sendable, Equatable {
        /// The name, without backquotes.
        var text: String
        /// Where the part starts (its backquote, when quoted).
        var column: Int
        /// Whether it was written in backquotes (and so is never a keyword).
        var backquoted: Bool
    }

    /// The token's kind.
    var kind: Kind
    /// The token exactly as written (quotes included).
    var text: String
    /// The 1-based character column of its first character.
    var column: Int

    /// Whether the token is the keyword `keyword` (given in upper case), in any letter case.
    func isKeyword(_ keyword: String) -> Bool {
        guard case .word(let parts) = kind, parts.count == 1, !parts[0].backquoted else { return false }
        return parts[0].text.uppercased() == keyword
    }

    /// The words with a meaning of their own in the language; they never name an attribute.
    static let keywords: Set<String> = ["AND", "OR", "NOT", "LIKE", "IN", "IS", "NULL", "TRUE", "FALSE"]

    /// Whether the token is any keyword.
    var isAnyKeyword: Bool { Self.keywords.contains { isKeyword($0) } }

    /// How an error message names the token.
    var quoted: String {
        switch kind {
        case .end: "the end of the filter"
        case .string: text
        default: "'\(text)'"
        }
    }
}

/// Splits a filter into tokens; the first malformed character is an error naming its column.
struct FilterLexer {
    private let characters: [Character]
    private let field: String
    private var index = 0

    private init(characters: [Character], field: String) {
        self.characters = characters
        self.field = field
    }

    /// The tokens of `characters`, ending with one `.end` token.
    static func tokens(of characters: [Character], field: String) throws(ProvenanceError) -> [FilterToken] {
        var lexer = FilterLexer(characters: characters, field: field)
        var tokens: [FilterToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func peek(_ offset: Int = 0) -> Character? {
        index + offset < characters.count ? characters[index + offset] : nil
    }

    private func text(from start: Int) -> String { String(characters[start..<index]) }

    private func error(_ problem: String, at start: Int) -> ProvenanceError {
        Filter.error(field, problem, column: start + 1)
    }

    private mutating func next() throws(ProvenanceError) -> FilterToken {
        while let character = peek(), character.isWhitespace { index += 1 }
        let start = index
        guard let character = peek() else { return FilterToken(kind: .end, text: "", column: start + 1) }
        func token(_ kind: FilterToken.Kind, length: Int) -> FilterToken {
            index += length
            return FilterToken(kind: kind, text: text(from: start), column: start + 1)
        }
        switch character {
        case "(": return token(.openParen, length: 1)
        case ")": return token(.closeParen, length: 1)
        case ",": return token(.comma, length: 1)
        case "=": return token(.comparison(.equal), length: 1)
        case "!" where peek(1) == "=": return token(.comparison(.notEqual), length: 2)
        case "<" where peek(1) == ">": return token(.comparison(.notEqual), length: 2)
        case "<" where peek(1) == "=": return token(.comparison(.lessOrEqual), length: 2)
        case "<": return token(.comparison(.less), length: 1)
        case ">" where peek(1) == "=": return token(.comparison(.greaterOrEqual), length: 2)
        case ">": return token(.comparison(.greater), length: 1)
        case "'", "\"": return try string(quote: character)
        case _ where character.isWordStart: return try word()
        case _ where startsNumber(): return try number()
        default: throw error("unexpected character '\(character)'", at: start)
        }
    }

    /// `'...'` or `"..."`: a doubled quote or a backslash before the quote stands for the quote, `\\` for one
    /// backslash; any other backslash is kept as written so LIKE patterns can escape `%` and `_`.
    private mutating func string(quote: Character) throws(ProvenanceError) -> FilterToken {
        let start = index
        index += 1
        var value = ""
        while let character = peek() {
            if character == quote, peek(1) == quote {
                value.append(quote)
                index += 2
            } else if character == quote {
                index += 1
                return FilterToken(kind: .string(value), text: text(from: start), column: start + 1)
            } else if character == "\\", let escaped = peek(1), escaped == quote || escaped == "\\" {
                value.append(escaped)
                index += 2
            } else {
                value.append(character)
                index += 1
            }
        }
        throw error("unterminated string", at: start)
    }

    /// A word, or words joined by dots with no space between (the parts of an attribute).
    private mutating func word() throws(ProvenanceError) -> FilterToken {
        let start = index
        var parts = [readWord()]
        while peek() == "." {
            index += 1
            if peek() == "`" {
                parts.append(try backquotedName())
            } else if let character = peek(), character.isWordCharacter {
                parts.append(readWord())
            } else {
                throw error("expected a name after '.'", at: index)
            }
        }
        return FilterToken(kind: .word(parts), text: text(from: start), column: start + 1)
    }

    private mutating func readWord() -> FilterToken.Part {
        let start = index
        while let character = peek(), character.isWordCharacter { index += 1 }
        return FilterToken.Part(text: text(from: start), column: start + 1, backquoted: false)
    }

    private mutating func backquotedName() throws(ProvenanceError) -> FilterToken.Part {
        let start = index
        index += 1
        while let character = peek(), character != "`" { index += 1 }
        guard peek() == "`" else { throw error("unterminated backquoted name", at: start) }
        let name = String(characters[(start + 1)..<index])
        index += 1
        guard !name.isEmpty else { throw error("empty backquoted name", at: start) }
        return FilterToken.Part(text: name, column: start + 1, backquoted: true)
    }

    private func startsNumber() -> Bool {
        var offset = 0
        if peek() == "+" || peek() == "-" { offset = 1 }
        if peek(offset) == "." { offset += 1 }
        return peek(offset)?.isDigit ?? false
    }

    /// `[+-] digits [. digits] [e [+-] digits]` (or `.digits`); a number running into a letter is malformed.
    private mutating func number() throws(ProvenanceError) -> FilterToken {
        let start = index
        var isInteger = true
        if peek() == "+" || peek() == "-" { index += 1 }
        skipDigits()
        if peek() == "." {
            isInteger = false
            index += 1
            skipDigits()
        }
        if peek() == "e" || peek() == "E" {
            let sign = peek(1) == "+" || peek(1) == "-" ? 1 : 0
            if peek(1 + sign)?.isDigit ?? false {
                isInteger = false
                index += 1 + sign
                skipDigits()
            }
        }
        if let character = peek(), character.isWordCharacter || character == "." {
            while let character = peek(), character.isWordCharacter || character == "." { index += 1 }
            throw error("malformed number '\(text(from: start))'", at: start)
        }
        return FilterToken(kind: .number(isInteger: isInteger), text: text(from: start), column: start + 1)
    }

    private mutating func skipDigits() {
        while let character = peek(), character.isDigit { index += 1 }
    }
}

extension Character {
    fileprivate var isDigit: Bool { isASCII && isNumber }
    fileprivate var isWordStart: Bool { isASCII && (isLetter || self == "_") }
    fileprivate var isWordCharacter: Bool { isASCII && (isLetter || isNumber || self == "_") }
}
