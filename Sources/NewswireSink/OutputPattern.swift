import Foundation
import NewswireCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The names of rotated output files: a path whose file name holds UTC time fields, such
/// as `out/articles-%Y%m%dT%H%M%S.ndjson`.
///
/// Fields (all UTC, zero-padded, fixed width): `%Y` year (4 digits), `%m` month, `%d` day,
/// `%H` hour, `%M` minute, `%S` second (2 digits each); `%%` is a literal `%`. The file name
/// must hold at least one field; the folder must hold none. A file is named for the time it
/// was opened. When that name is taken, or would not sort after the previous file's (two
/// files opened in the same second, or a clock that went back), the previous file's name
/// gets a counter, `_0001`, `_0002`…, before the first `.` after the last field
/// (`articles-20261203T140000_0001.ndjson`): names in byte order are the files in the order
/// they were opened, provided the fields run from year to second.
///
/// While open, a file is `.NAME.open` in the same folder: hidden, and not matched by the
/// pattern, so consumers that pick up `articles-*.ndjson` see only closed files.
public struct OutputPattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as given, with its folder made absolute.
    public let text: String
    /// The folder the files are written to (absolute).
    public let folder: String
    /// The file name up to the counter's place, and after it.
    private let head: [Part]
    private let tail: String

    private enum Part: Sendable, Hashable {
        case literal(String)
        case field(Field)
    }

    private enum Field: Character, Sendable, Hashable {
        case year = "Y"
        case month = "m"
        case day = "d"
        case hour = "H"
        case minute = "M"
        case second = "S"

        var width: Int { self == .year ? 4 : 2 }
    }

    /// Parses `pattern`; a relative folder is resolved against the current directory.
    /// - Throws: ``StageError`` (kind `internal`) for an unknown field, a field in the folder,
    ///   a file name without fields, or one that starts with a dot.
    public init(_ pattern: String) throws {
        let url = URL(fileURLWithPath: pattern).standardizedFileURL
        let name = url.lastPathComponent
        let folder = url.deletingLastPathComponent().path
        guard !pattern.hasSuffix("/"), !name.isEmpty else {
            throw StageError(.internal, "the output pattern '\(pattern)' has no file name")
        }
        if folder.contains("%") {
            throw StageError(
                .internal,
                "the output pattern '\(pattern)' has a '%' in its folder; fields go in the file name"
            )
        }
        if name.hasPrefix(".") {
            throw StageError(
                .internal,
                "the output pattern '\(pattern)' names hidden files; open files are hidden ones"
            )
        }
        var parts: [Part] = []
        var literal = ""
        var characters = name.makeIterator()
        while let character = characters.next() {
            guard character == "%" else {
                literal.append(character)
                continue
            }
            let code = characters.next()
            if code == "%" {
                literal.append("%")
            } else if let code, let field = Field(rawValue: code) {
                if !literal.isEmpty { parts.append(.literal(literal)) }
                literal = ""
                parts.append(.field(field))
            } else {
                throw StageError(
                    .internal,
                    "the output pattern '\(pattern)' has an unknown field '%\(code.map(String.init) ?? "")' "
                        + "(expected %Y, %m, %d, %H, %M, %S or %%)"
                )
            }
        }
        guard parts.contains(where: { if case .field = $0 { true } else { false } }) else {
            throw StageError(
                .internal,
                "the output pattern '\(pattern)' holds no time field such as %Y%m%dT%H%M%S; a rotated output needs one"
            )
        }
        // The counter goes before the first "." after the last field.
        let dot = literal.firstIndex(of: ".") ?? literal.endIndex
        if dot > literal.startIndex { parts.append(.literal(String(literal[..<dot]))) }
        self.head = parts
        self.tail = String(literal[dot...])
        self.folder = folder
        self.text = folder == "/" ? "/" + name : folder + "/" + name
    }

    public var description: String { self.text }

    /// The pattern for the error records beside these files: `.ndjson` at the end becomes
    /// `.errors.ndjson` (otherwise that is appended), as `OUTPUT.errors.ndjson` is for a
    /// single output file.
    public func errorsPattern() throws -> OutputPattern {
        let base = self.text.hasSuffix(".ndjson") ? String(self.text.dropLast(".ndjson".count)) : self.text
        return try OutputPattern(base + ".errors.ndjson")
    }

    /// The file name for a file opened at `date`, with `counter` (0: none).
    package func fileName(at date: Date, counter: Int = 0) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var fields = tm()
        gmtime_r(&seconds, &fields)
        var name = ""
        for part in self.head {
            switch part {
            case .literal(let text): name += text
            case .field(let field):
                let value: Int32 =
                    switch field {
                    case .year: fields.tm_year + 1900
                    case .month: fields.tm_mon + 1
                    case .day: fields.tm_mday
                    case .hour: fields.tm_hour
                    case .minute: fields.tm_min
                    case .second: fields.tm_sec
                    }
                let digits = String(max(0, value))
                name += String(repeating: "0", count: max(0, field.width - digits.count)) + digits
            }
        }
        return name + Self.counterText(counter) + self.tail
    }

    /// The name `name` would have with `counter`, when `name` is one of this pattern's names.
    func fileName(_ name: String, withCounter counter: Int) -> String? {
        guard let parsed = self.parse(name) else { return nil }
        return parsed.stem + Self.counterText(counter) + self.tail
    }

    /// Splits one of this pattern's file names into its name without counter and counter;
    /// `nil` for any other name.
    package func parse(_ name: String) -> (stem: String, counter: Int)? {
        var rest = Substring(name)
        for part in self.head {
            switch part {
            case .literal(let text):
                guard rest.hasPrefix(text) else { return nil }
                rest = rest.dropFirst(text.count)
            case .field(let field):
                let digits = rest.prefix(field.width)
                guard digits.count == field.width, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
                rest = rest.dropFirst(field.width)
            }
        }
        let stem = String(name[..<rest.startIndex])
        guard rest.hasSuffix(self.tail) else { return nil }
        let middle = rest.dropLast(self.tail.count)
        if middle.isEmpty { return (stem, 0) }
        guard middle.first == "_", middle.count >= 5, let counter = Int(middle.dropFirst()), counter > 0,
            middle.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        return (stem, counter)
    }

    /// The hidden name a file has while it is open.
    static func openName(of name: String) -> String { "." + name + ".open" }

    /// The closed name of an open file's hidden name, when it is one of this pattern's.
    func closedName(ofOpen name: String) -> String? {
        guard name.hasPrefix("."), name.hasSuffix(".open") else { return nil }
        let closed = String(name.dropFirst().dropLast(".open".count))
        return self.parse(closed) == nil ? nil : closed
    }

    func path(of name: String) -> String {
        self.folder == "/" ? "/" + name : self.folder + "/" + name
    }

    private static func counterText(_ counter: Int) -> String {
        guard counter > 0 else { return "" }
        let digits = String(counter)
        return "_" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
