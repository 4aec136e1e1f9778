public import Foundation
public import NewswireCore

/// `keep:` and `drop:` rules: an item is kept when it matches every `keep` field given and no
/// `drop` pattern. A pattern is a word or phrase (case-insensitive, whole words) or a
/// `/regular expression/`.
public struct ItemFilter: Sendable, Hashable {
    /// The fields rules can name.
    public enum Field: String, Sendable, Hashable, CaseIterable {
        case title, url, categories, language, text

        /// The field's place in ``allCases``: the index of the per-field tables.
        var ordinal: Int {
            switch self {
            case .title: 0
            case .url: 1
            case .categories: 2
            case .language: 3
            case .text: 4
            }
        }
    }

    /// One word, phrase or regular expression, compiled once.
    public struct Pattern: Sendable, Hashable, CustomStringConvertible {
        /// The compiled forms, in one object: a pattern is copied (retained) for every item.
        private final class Storage: Sendable {
            let source: String
            /// A word or phrase, lower-cased, as UTF-8 (matched without a regular expression).
            let word: [UInt8]?
            /// The expression as a DFA over UTF-8 bytes when it uses only the common forms
            /// (``ByteRegex``); `regex` answers for the rest, and for text only ICU can fold.
            let compiled: ByteRegex?
            let regex: Regex?

            init(source: String, word: [UInt8]?, compiled: ByteRegex?, regex: Regex?) {
                self.source = source
                self.word = word
                self.compiled = compiled
                self.regex = regex
            }
        }
        private let storage: Storage

        public var source: String { self.storage.source }

        /// `/…/` is a regular expression (case-insensitive); anything else a word or phrase
        /// matched case-insensitively on word boundaries.
        /// - Throws: ``ItemFilterError`` when the regular expression does not compile or the
        ///   word is empty.
        public init(_ source: String) throws {
            if source.count >= 2 && source.hasPrefix("/") && source.hasSuffix("/") {
                do {
                    let expression = String(source.dropFirst().dropLast())
                    self.storage = Storage(
                        source: source,
                        word: nil,
                        compiled: ByteRegex(expression),
                        regex: Regex(try NSRegularExpression(pattern: expression, options: [.caseInsensitive]))
                    )
                } catch {
                    throw ItemFilterError(pattern: source, message: "not a valid regular expression")
                }
            } else {
                let word = source.trimmingCharacters(in: .whitespaces).lowercased()
                guard !word.isEmpty else { throw ItemFilterError(pattern: source, message: "an empty word") }
                self.storage = Storage(source: source, word: Array(word.utf8), compiled: nil, regex: nil)
            }
        }

        public func matches(_ text: String) -> Bool { self.matches(Subject(text)) }

        /// Matches a subject prepared once for all the patterns of a field.
        func matches(_ subject: Subject) -> Bool {
            let storage = self.storage
            if let word = storage.word { return subject.containsWord(word) }
            if let compiled = storage.compiled, let answer = subject.withUTF8({ compiled.matches($0) }) {
                return answer
            }
            return storage.regex?.matches(subject.bridged) ?? false
        }

        public var description: String { self.source }

        public static func == (lhs: Pattern, rhs: Pattern) -> Bool { lhs.source == rhs.source }
        public func hash(into hasher: inout Hasher) { hasher.combine(self.source) }
    }

    /// NSRegularExpression is immutable and thread-safe once made.
    private struct Regex: @unchecked Sendable {
        let expression: NSRegularExpression
        init(_ expression: NSRegularExpression) { self.expression = expression }
        func matches(_ text: NSString) -> Bool {
            self.expression.firstMatch(in: text as String, range: NSRange(location: 0, length: text.length)) != nil
        }
    }

    /// A value made ready once for every pattern: lower-cased UTF-8 for words, a bridged
    /// string for the expressions ``ByteRegex`` leaves to ICU (made on first use).
    final class Subject {
        let text: String
        private(set) lazy var lowered: [UInt8] = Array(self.text.lowercased().utf8)
        /// The bytes as they are, when the string is not stored as contiguous UTF-8.
        private(set) lazy var bytes: [UInt8] = Array(self.text.utf8)
        private(set) lazy var bridged: NSString = NSString(string: self.text)

        init(_ text: String) { self.text = text }

        /// Calls `body` with the text's UTF-8 bytes, without a copy when the string is native.
        func withUTF8<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
            if let result = self.text.utf8.withContiguousStorageIfAvailable(body) { return result }
            return self.bytes.withUnsafeBufferPointer(body)
        }

        /// Whether `word` occurs with no letter or digit right before or after it.
        func containsWord(_ word: [UInt8]) -> Bool {
            // An ASCII word is found in the bytes as they are (no copy), ASCII case folded on
            // the fly; any other in the lower-cased text.
            if word.allSatisfy({ $0 < 0x80 }) {
                return self.withUTF8 { Self.find(word, in: $0, foldingASCII: true) }
            }
            return self.lowered.withUnsafeBufferPointer { Self.find(word, in: $0, foldingASCII: false) }
        }

        private static func find(
            _ word: [UInt8],
            in haystack: UnsafeBufferPointer<UInt8>,
            foldingASCII ascii: Bool
        ) -> Bool {
            @inline(__always) func folded(_ byte: UInt8) -> UInt8 {
                ascii && byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
            }
            guard word.count <= haystack.count, let first = word.first else { return false }
            func isWordByte(_ byte: UInt8) -> Bool {
                byte >= 0x80 || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            }
            var index = 0
            let last = haystack.count - word.count
            while index <= last {
                if folded(haystack[index]) == first {
                    var matched = true
                    for offset in 1..<word.count where folded(haystack[index + offset]) != word[offset] {
                        matched = false
                        break
                    }
                    if matched {
                        let before = index == 0 || !isWordByte(folded(haystack[index - 1])) || !isWordByte(first)
                        let end = index + word.count
                        let after =
                            end == haystack.count || !isWordByte(folded(haystack[end]))
                            || !isWordByte(word[word.count - 1])
                        if before && after { return true }
                    }
                }
                index += 1
            }
            return false
        }
    }

    public var keep: [Field: [Pattern]] = [:] {
        didSet { self.keepByField = Self.table(self.keep) }
    }
    public var drop: [Field: [Pattern]] = [:] {
        didSet { self.dropByField = Self.table(self.drop) }
    }
    /// `keep` and `drop` by ``Field/ordinal``: every item is judged against them, and an
    /// array index costs nothing where a dictionary lookup hashes the field.
    private var keepByField: [[Pattern]] = Self.table([:])
    private var dropByField: [[Pattern]] = Self.table([:])

    private static func table(_ rules: [Field: [Pattern]]) -> [[Pattern]] {
        Field.allCases.map { rules[$0] ?? [] }
    }

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
        self.rejection(values, fields: Field.allCases)
    }

    /// ``rejection(_:)`` judging only `fields` (the others were judged before).
    public func rejection(_ values: Values, fields: [Field]) -> String? {
        // Each field's values made ready once, on first use, for all its patterns.
        var subjects: [[Subject]?] = [nil, nil, nil, nil, nil]
        func prepared(_ field: Field) -> [Subject]? {
            if let ready = subjects[field.ordinal] { return ready }
            guard let strings = values.strings(field) else { return nil }
            let made = strings.map(Subject.init)
            subjects[field.ordinal] = made
            return made
        }
        for field in fields where !self.dropByField[field.ordinal].isEmpty {
            guard let strings = prepared(field) else { continue }
            for pattern in self.dropByField[field.ordinal] where strings.contains(where: { pattern.matches($0) }) {
                return "\(field.rawValue) matches drop rule \(pattern)"
            }
        }
        for field in fields where !self.keepByField[field.ordinal].isEmpty {
            guard let strings = prepared(field) else { continue }
            if !self.keepByField[field.ordinal].contains(where: { pattern in
                strings.contains { pattern.matches($0) }
            }) {
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
