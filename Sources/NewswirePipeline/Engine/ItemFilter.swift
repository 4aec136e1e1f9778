public import Foundation
public import NewswireCore

/// `keep:` and `drop:` rules: an item is kept when it matches every `keep` field given and no
/// `drop` pattern. A pattern is a word or phrase (case-insensitive, whole words) or a
/// `/regular expression/`.
public struct ItemFilter: Sendable, Hashable {
    /// The fields rules can name.
    public enum Field: String, Sendable, Hashable, CaseIterable {
        case title, url, categories, language, text
    }

    /// One word, phrase or regular expression, compiled once.
    public struct Pattern: Sendable, Hashable, CustomStringConvertible {
        public let source: String
        private let regex: Regex

        /// `/…/` is a regular expression (case-insensitive); anything else a word or phrase
        /// matched case-insensitively on word boundaries.
        /// - Throws: ``ItemFilterError`` when the regular expression does not compile.
        public init(_ source: String) throws {
            self.source = source
            let expression: String
            if source.count >= 2 && source.hasPrefix("/") && source.hasSuffix("/") {
                expression = String(source.dropFirst().dropLast())
            } else {
                let escaped = NSRegularExpression.escapedPattern(for: source.trimmingCharacters(in: .whitespaces))
                expression = "(?<![\\p{L}\\p{N}])" + escaped + "(?![\\p{L}\\p{N}])"
            }
            do {
                self.regex = Regex(try NSRegularExpression(pattern: expression, options: [.caseInsensitive]))
            } catch {
                throw ItemFilterError(pattern: source, message: "not a valid regular expression")
            }
        }

        public func matches(_ text: String) -> Bool { self.regex.matches(text) }

        public var description: String { self.source }

        public static func == (lhs: Pattern, rhs: Pattern) -> Bool { lhs.source == rhs.source }
        public func hash(into hasher: inout Hasher) { hasher.combine(self.source) }
    }

    /// NSRegularExpression is immutable and thread-safe once made.
    private struct Regex: @unchecked Sendable {
        let expression: NSRegularExpression
        init(_ expression: NSRegularExpression) { self.expression = expression }
        func matches(_ text: String) -> Bool {
            self.expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
    }

    public var keep: [Field: [Pattern]] = [:]
    public var drop: [Field: [Pattern]] = [:]

    public init() {}

    public var isEmpty: Bool { self.keep.isEmpty && self.drop.isEmpty }

    /// A per-feed filter laid over the pipeline's: rules of both apply.
    public func merged(with other: ItemFilter) -> ItemFilter {
        var result = self
        result.keep.merge(other.keep) { $0 + $1 }
        result.drop.merge(other.drop) { $0 + $1 }
        return result
    }

    /// The values of an item or article the rules look at; `nil` when not known yet (the
    /// text of an item whose page is not fetched yet).
    public struct Values: Sendable {
        public var title: String?
        public var url: String?
        public var categories: [String]?
        public var language: String?
        public var text: String?

        public init(
            title: String? = nil,
            url: String? = nil,
            categories: [String]? = nil,
            language: String? = nil,
            text: String? = nil
        ) {
            self.title = title
            self.url = url
            self.categories = categories
            self.language = language
            self.text = text
        }

        func strings(_ field: Field) -> [String]? {
            switch field {
            case .title: self.title.map { [$0] }
            case .url: self.url.map { [$0] }
            case .categories: self.categories
            case .language: self.language.map { [$0] }
            case .text: self.text.map { [$0] }
            }
        }
    }

    /// Why `values` are filtered out, or `nil` when they pass. Fields that are not known
    /// (`nil`) are not judged: a later check with the full article decides them.
    public func rejection(_ values: Values) -> String? {
        for field in Field.allCases {
            guard let patterns = self.drop[field], let strings = values.strings(field) else { continue }
            if let pattern = patterns.first(where: { pattern in strings.contains(where: pattern.matches) }) {
                return "\(field.rawValue) matches drop rule \(pattern)"
            }
        }
        for field in Field.allCases {
            guard let patterns = self.keep[field], let strings = values.strings(field) else { continue }
            if !patterns.contains(where: { pattern in strings.contains(where: pattern.matches) }) {
                return "\(field.rawValue) matches no keep rule"
            }
        }
        return nil
    }
}

/// A keep or drop pattern that cannot be used.
public struct ItemFilterError: Error, Sendable, Hashable, CustomStringConvertible {
    public var pattern: String
    public var message: String
    public var description: String { "'\(self.pattern)' is \(self.message)" }
}
