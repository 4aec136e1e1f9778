import Foundation
import NewswireArchive
import NewswireCore

/// Where every capture of the replayed input is, and what it holds: built in one pass over
/// the WARC files and saved-document folders, before the replay starts.
///
/// It keeps no bodies: about 100 bytes per capture (its URL, date, kind and offset). The
/// fetcher reads a capture again from its offset when the engine asks for it.
struct ArchiveIndex: Sendable {
    /// Where a capture's bytes are.
    enum Location: Sendable, Hashable {
        /// A WARC record: its file (an index into `warcFiles`) and the offset of its gzip
        /// member or record. `streamed` files (one gzip member for the whole file) are read
        /// again from the start up to `uncompressedOffset`.
        case warc(file: Int, offset: Int64, uncompressedOffset: Int64)
        /// A saved document: its path.
        case file(String)
    }

    /// What a capture is, as far as the replay cares.
    enum Kind: Sendable, Hashable {
        /// A 2xx feed document (RSS, Atom, RDF, JSON Feed).
        case feed
        /// A 2xx HTML page.
        case page
        /// A 3xx response and the absolute URL it sends to.
        case redirect(String)
        /// Anything else: an error status, a 304, a robots.txt, an image.
        case other
    }

    struct Capture: Sendable {
        var url: String
        var date: Date
        var kind: Kind
        var location: Location
    }

    /// Every capture, in reading order.
    private(set) var captures: [Capture] = []
    /// Capture indices by URL, in reading order.
    private(set) var byURL: [String: [Int]] = [:]
    private(set) var warcFiles: [String] = []
    /// Files whose records share one gzip member (no offset to seek to).
    private(set) var streamedFiles: Set<Int> = []
    /// Faults met while reading the input, in reading order (the file and byte offset named).
    private(set) var faults: [WARCError] = []

    mutating func add(_ capture: Capture) {
        self.byURL[capture.url, default: []].append(self.captures.count)
        self.captures.append(capture)
    }

    mutating func addFile(_ path: String) -> Int {
        self.warcFiles.append(path)
        return self.warcFiles.count - 1
    }

    mutating func markStreamed(_ file: Int) { self.streamedFiles.insert(file) }

    mutating func addFault(_ fault: WARCError) { self.faults.append(fault) }

    /// The capture of `url` a request made at `date` reads: the earliest made at or after
    /// it (the page a crawl fetched right after the feed that linked it), else the latest
    /// made before it; without a date, the first. Equal dates go by reading order.
    func capture(of url: String, near date: Date?) -> Int? {
        guard let numbers = self.byURL[url] else { return nil }
        guard let date, numbers.count > 1 else { return numbers.first }
        var after: Int?
        var before: Int?
        for number in numbers {
            let captured = self.captures[number].date
            if captured >= date {
                if after.map({ captured < self.captures[$0].date }) ?? true { after = number }
            } else if before.map({ captured >= self.captures[$0].date }) ?? true {
                before = number
            }
        }
        return after ?? before
    }

    /// The capture indices in capture order: by date, reading order among equal dates.
    func captureOrder() -> [Int] {
        self.captures.indices.sorted { left, right in
            let (a, b) = (self.captures[left].date, self.captures[right].date)
            return a != b ? a < b : left < right
        }
    }
}

/// Recognises feeds and HTML pages among captured documents.
enum DocumentSniffer {
    static func kind(of document: FetchedDocument) -> ArchiveIndex.Kind {
        switch document.status {
        case 200..<300:
            if Self.isFeed(document) { return .feed }
            if Self.isHTML(document) { return .page }
            return .other
        case 300..<400 where document.status != 304:
            guard let location = document.headers["Location"],
                let target = Self.resolve(location, against: document.requestedURL)
            else { return .other }
            return .redirect(target)
        default:
            return .other
        }
    }

    static func isFeed(_ document: FetchedDocument) -> Bool {
        let type = (document.contentType ?? "").lowercased()
        if type.contains("html") { return false }
        let head = Self.head(document.body)
        if head.contains("<rss") || head.contains("<feed") || head.contains("<rdf:rdf") { return true }
        return head.contains("jsonfeed.org/version")
    }

    static func isHTML(_ document: FetchedDocument) -> Bool {
        let type = (document.contentType ?? "").lowercased()
        if type.contains("html") { return true }
        guard type.isEmpty else { return false }
        let head = Self.head(document.body)
        return head.contains("<html") || head.contains("<!doctype html")
    }

    /// The first KiB of `body`, lower-cased ASCII.
    private static func head(_ body: [UInt8]) -> String {
        String(decoding: body.prefix(1024).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// `reference` (a `Location` value) made absolute against `base`.
    static func resolve(_ reference: String, against base: String) -> String? {
        let reference = reference.trimmingCharacters(in: .whitespaces)
        if WebURL.isWeb(reference) { return reference }
        guard let url = WebURL(base) else { return nil }
        if reference.hasPrefix("//") { return url.scheme + ":" + reference }
        if reference.hasPrefix("/") { return url.origin + reference }
        if reference.hasPrefix("?") { return url.origin + url.path + reference }
        let folder = url.path.hasSuffix("/") ? url.path : String(url.path[...(url.path.lastIndex(of: "/")!)])
        return url.origin + folder + reference
    }
}
