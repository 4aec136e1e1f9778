import Foundation
import NewswireCore
import NewswireDedup
import NewswireMarkup
import NewswirePipeline

/// The code each target exercises with arbitrary bytes.
enum FuzzTarget: String, CaseIterable {
    case feed, html, charset, url, date, pipeline, regex, fragment

    func run(_ bytes: [UInt8]) {
        switch self {
        case .feed:
            // The first byte picks a declared type, so the JSON, XML and repair paths all run.
            let types = [nil, "application/rss+xml", "application/feed+json", "text/xml; charset=iso-8859-1"]
            let type = types[Int(bytes.first ?? 0) % types.count]
            var headers = HTTPHeaders()
            if let type { headers.add(name: "Content-Type", value: type) }
            let document = FetchedDocument(requestedURL: "https://fuzz.example/feed", headers: headers, body: bytes)
            _ = FeedParser().parseFeed(document)
        case .html:
            let document = FetchedDocument(requestedURL: "https://fuzz.example/page", body: bytes)
            _ = try? ArticleExtractor().extractArticle(from: document)
        case .charset:
            // One decode per input: the first byte picks the document kind and the declared
            // type, so libFuzzer reaches every pair (and the declared-label paths) while each
            // input costs one pass over its bytes rather than four.
            let (kind, type) = Self.charsetCases[Int(bytes.first ?? 0) % Self.charsetCases.count]
            _ = Charset.decode(bytes, contentType: type, kind: kind).string
        case .url:
            let text = String(decoding: bytes, as: UTF8.self)
            let canonicalizer = URLCanonicalizer()
            let canonical = canonicalizer.canonicalize(text)
            // Canonical URLs are a fixed point.
            let again = canonicalizer.canonicalize(canonical)
            precondition(
                again == canonical,
                "not idempotent: \(text.debugDescription) → \(canonical.debugDescription) → \(again.debugDescription)"
            )
            _ = canonicalizer.preferredURL(fetchedURL: text, declaredURLs: [canonical, nil])
        case .date:
            _ = DateParser.parse(String(decoding: bytes, as: UTF8.self))
        case .regex:
            // Differential: the first byte gives the expression's length, the rest (cut short,
            // so ICU's backtracking stays fast) is the text. Where ByteRegex answers, it must
            // answer as NSRegularExpression does.
            let length = min(Int(bytes.first ?? 0) % 40, max(bytes.count - 1, 0))
            let expression = String(decoding: bytes.dropFirst().prefix(length), as: UTF8.self)
            var text = String(decoding: bytes.dropFirst(1 + length).prefix(24), as: UTF8.self)
            guard let (regex, reference) = Self.compiled(expression),
                let answer = text.withUTF8({ regex.matches($0) })
            else { return }
            let expected = reference.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            precondition(
                answer == expected,
                "/\(expression)/ on \(text.debugDescription): NSRegularExpression \(expected), ByteRegex \(answer)"
            )
        case .fragment:
            // Differential: where the direct reader of plain feed markup answers, it answers
            // as libxml2's HTML parser does.
            let html = String(decoding: bytes, as: UTF8.self)
            guard let direct = HTMLText.simplePlainText(html) else { return }
            let parsed = HTMLText.parsedPlainText(html)
            precondition(
                direct == parsed,
                "\(html.debugDescription): direct \(direct.debugDescription), libxml2 \(parsed.debugDescription)"
            )
        case .pipeline:
            _ = try? PipelineFile.parse(
                String(decoding: bytes, as: UTF8.self),
                file: "fuzz.yaml",
                folder: "/nonexistent",
                environment: ["FUZZ": "value"]
            )
        }
    }
}

extension FuzzTarget {
    /// The (kind, Content-Type) pairs the charset target picks from: no declaration, and the
    /// labels that take each branch of `Charset.decode` (UTF-8, a single-byte Latin label,
    /// multi-byte labels iconv knows, a label it does not).
    static let charsetCases: [(Charset.DocumentKind, String?)] = {
        let types: [String?] = [
            nil, "text/html; charset=utf-8", "text/xml; charset=iso-8859-1", "text/plain; charset=shift_jis",
            "text/html; charset=gb2312", "application/xml; charset=utf-16", "text/html; charset=x-no-such-label",
        ]
        let kinds: [Charset.DocumentKind] = [.html, .xml, .text]
        return types.flatMap { type in kinds.map { ($0, type) } }
    }()

    /// Compiled expressions of the regex target, by expression. libFuzzer mutates the text
    /// part of an input as often as the expression, and compiling both matchers (ByteRegex
    /// builds a whole DFA) cost more than the comparison; an expression compiles the same
    /// way every time, so a repeated one is looked up. Bounded: emptied when full.
    nonisolated(unsafe) private static var compiledExpressions: [String: (ByteRegex, NSRegularExpression)?] = [:]

    static func compiled(_ expression: String) -> (ByteRegex, NSRegularExpression)? {
        if let known = self.compiledExpressions[expression] { return known }
        var pair: (ByteRegex, NSRegularExpression)?
        if let regex = ByteRegex(expression),
            let reference = try? NSRegularExpression(pattern: expression, options: [.caseInsensitive])
        {
            pair = (regex, reference)
        }
        if self.compiledExpressions.count >= 4096 { self.compiledExpressions.removeAll() }
        self.compiledExpressions[expression] = .some(pair)
        return pair
    }
}

/// The target libFuzzer's callback runs; set once by main before the driver starts.
nonisolated(unsafe) var selectedTarget = FuzzTarget.feed

/// libFuzzer's per-input callback (it cannot capture context, so it reads ``selectedTarget``).
let runSelectedTarget: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32 = { data, size in
    guard let data, size > 0 else {
        selectedTarget.run([])
        return 0
    }
    selectedTarget.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

/// libFuzzer's entry point by name, which its runtime references even when main calls
/// `LLVMFuzzerRunDriver`; the same work as ``runSelectedTarget``.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    runSelectedTarget(data, size)
}
