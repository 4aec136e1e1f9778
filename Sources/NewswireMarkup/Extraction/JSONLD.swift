import Foundation

/// The schema.org objects of a page's `<script type="application/ld+json">` blocks.
///
/// Pages nest them in arrays and `@graph`s; this flattens them and picks the article.
struct JSONLD {
    private(set) var objects: [[String: Any]] = []

    init(scripts: [String]) {
        for script in scripts {
            // Only articles and web pages are read: skip breadcrumb, organisation and site blocks unparsed.
            let bytes = Array(script.utf8)
            guard Self.relevantTypes.contains(where: { TextBytes.contains(bytes, $0) }) else { continue }
            guard let value = Self.parse(script) else { continue }
            self.collect(value, depth: 0)
        }
    }

    private static let relevantTypes = ["Article", "article", "Posting", "WebPage", "Report", "Review", "@graph"]

    private static func parse(_ script: String) -> Any? {
        var text = TextBytes.trimmingWhitespace(script)
        if text.hasPrefix("<!--") { text = String(text.dropFirst(4)) }
        if text.hasSuffix("-->") { text = String(text.dropLast(3)) }
        if let value = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) {
            return value
        }
        // Raw control characters inside strings are the most common breakage.
        let repaired = String(
            String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 ? " " : $0 })
        )
        return try? JSONSerialization.jsonObject(with: Data(repaired.utf8), options: [.fragmentsAllowed])
    }

    private mutating func collect(_ value: Any, depth: Int) {
        guard depth < 6 else { return }
        if let array = value as? [Any] {
            for item in array { self.collect(item, depth: depth + 1) }
        } else if let object = value as? [String: Any] {
            self.objects.append(object)
            if let graph = object["@graph"] { self.collect(graph, depth: depth + 1) }
            if let main = object["mainEntity"] as? [String: Any] { self.collect(main, depth: depth + 1) }
        }
    }

    /// Every `@type` named in the scripts, read from the raw text (no JSON parse), so that
    /// blocks skipped above (products, lists, forums) are seen too.
    static func declaredTypes(in scripts: [String]) -> Set<String> {
        var types: Set<String> = []
        let key = Array("\"@type\"".utf8)
        for script in scripts {
            let bytes = Array(script.utf8)
            var index = 0
            while index + key.count < bytes.count {
                guard bytes[index] == key[0], bytes[index..<index + key.count].elementsEqual(key) else {
                    index += 1
                    continue
                }
                index += key.count
                while index < bytes.count,
                    bytes[index] == 32 || bytes[index] == 58 || bytes[index] == 10 || bytes[index] == 9
                {
                    index += 1
                }
                let isList = index < bytes.count && bytes[index] == UInt8(ascii: "[")
                repeat {
                    while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "]") {
                        index += 1
                    }
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { break }
                    let start = index + 1
                    index = start
                    while index < bytes.count, bytes[index] != UInt8(ascii: "\"") { index += 1 }
                    types.insert(String(decoding: bytes[start..<min(index, bytes.count)], as: UTF8.self))
                    index += 1
                } while isList
            }
        }
        return types
    }

    /// The first object whose `@type` is an article or a posting.
    var article: [String: Any]? {
        self.objects.first { object in
            Self.types(of: object).contains { type in
                type.hasSuffix("article") || type.contains("posting") || type == "report" || type == "review"
                    || type == "liveblogposting"
            }
        }
    }

    /// The first object of type WebPage (or one of its kinds).
    var webPage: [String: Any]? {
        self.objects.first { object in Self.types(of: object).contains { $0.hasSuffix("webpage") } }
    }

    static func types(of object: [String: Any]) -> [String] {
        if let type = object["@type"] as? String { return [type.lowercased()] }
        if let types = object["@type"] as? [Any] { return types.compactMap { ($0 as? String)?.lowercased() } }
        return []
    }

    /// A string field, or the first string of an array field.
    static func string(_ value: Any?) -> String? {
        if let string = value as? String {
            let trimmed = TextBytes.trimmingWhitespace(string)
            return trimmed.isEmpty ? nil : trimmed
        }
        if let number = value as? NSNumber { return number.stringValue }
        if let array = value as? [Any] { return array.lazy.compactMap { Self.string($0) }.first }
        return nil
    }

    /// Every string of a field that may hold a string, an array or comma-separated text.
    static func strings(_ value: Any?) -> [String] {
        if let string = value as? String {
            return string.split(separator: ",").map { TextBytes.trimmingWhitespace($0) }
                .filter { !$0.isEmpty }
        }
        if let array = value as? [Any] { return array.flatMap { Self.strings($0) } }
        return []
    }

    /// Names of a `Person`/`Organization` field (a string, an object with `name`, or arrays of them).
    static func names(_ value: Any?) -> [String] {
        if let string = value as? String { return [string] }
        if let object = value as? [String: Any] { return Self.string(object["name"]).map { [$0] } ?? [] }
        if let array = value as? [Any] { return array.flatMap { Self.names($0) } }
        return []
    }

    /// A URL field: a string, an `ImageObject` with `url`, or an array of them.
    static func url(_ value: Any?) -> String? {
        if let string = value as? String { return string }
        if let object = value as? [String: Any] { return Self.url(object["url"]) ?? Self.url(object["@id"]) }
        if let array = value as? [Any] { return array.lazy.compactMap { Self.url($0) }.first }
        return nil
    }
}
