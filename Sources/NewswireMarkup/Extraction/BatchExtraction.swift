import Foundation
import NewswireCore

/// One page of a batch: its id (the file name without `.html`/`.html.gz`) and its path.
public struct BatchPage: Sendable, Hashable {
    public var id: String
    public var path: String

    public init(id: String, path: String) {
        self.id = id
        self.path = path
    }

    /// The pages of `source`: a directory of `.html`/`.html.gz` files (or one holding an
    /// `html/` folder of them), or a file listing paths one a line. Sorted by id.
    ///
    /// - Throws: ``PageFileError`` when `source` cannot be read.
    public static func pages(in source: String) throws -> [BatchPage] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) else {
            throw PageFileError(path: source, message: "no such file or directory")
        }
        var paths: [String] = []
        if isDirectory.boolValue {
            var directory = source
            let nested = (source as NSString).appendingPathComponent("html")
            var nestedIsDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: nested, isDirectory: &nestedIsDirectory),
                nestedIsDirectory.boolValue
            {
                directory = nested
            }
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
                throw PageFileError(path: directory, message: "cannot list the directory")
            }
            paths = names.filter { Self.id(ofPath: $0) != nil }.map {
                (directory as NSString).appendingPathComponent($0)
            }
        } else {
            guard let list = try? String(contentsOfFile: source, encoding: .utf8) else {
                throw PageFileError(path: source, message: "cannot read the list")
            }
            paths = list.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        }
        return paths.map { BatchPage(id: Self.id(ofPath: $0) ?? ($0 as NSString).lastPathComponent, path: $0) }
            .sorted { $0.id < $1.id }
    }

    /// The file name without `.html`, `.htm`, `.html.gz` or `.htm.gz`, or `nil` for other files.
    static func id(ofPath path: String) -> String? {
        let name = (path as NSString).lastPathComponent
        for suffix in [".html.gz", ".htm.gz", ".html", ".htm"] where name.lowercased().hasSuffix(suffix) {
            return String(name.dropLast(suffix.count))
        }
        return nil
    }
}

/// The output shape of a batch.
public enum BatchFormat: String, Sendable, CaseIterable {
    /// One object `{"ID": {"articleBody": ..., ...}}`, what score_extraction.py reads.
    case json
    /// One record a line, each with its `id`.
    case ndjson
}

/// Extracts many saved pages in parallel and writes their records in id order.
///
/// Workers take pages in order and hand finished records to an in-order writer; a worker
/// waits while more than a small window of records is pending, so memory stays flat
/// however many pages there are, and no document outlives its record.
public struct BatchExtraction: Sendable {
    public var jobs: Int
    public var format: BatchFormat

    public init(jobs: Int, format: BatchFormat) {
        self.jobs = max(1, jobs)
        self.format = format
    }

    /// Runs the batch, writing the output through `write` (called on one thread at a time, in order).
    ///
    /// - Returns: how many pages failed.
    public func run(_ pages: [BatchPage], write: @escaping @Sendable ([UInt8]) -> Void) -> Int {
        let state = BatchState(window: self.jobs * 4)
        let extractor = ArticleExtractor()
        let format = self.format
        if format == .json { write(Array("{".utf8)) }
        DispatchQueue.concurrentPerform(iterations: self.jobs) { _ in
            while let index = state.nextIndex(limit: pages.count) {
                let page = pages[index]
                let (record, failed) = Self.record(for: page, extractor: extractor, format: format, first: index == 0)
                state.finish(index, record: record, failed: failed, write: write)
            }
        }
        if format == .json { write(Array("}\n".utf8)) }
        return state.failures
    }

    private static func record(
        for page: BatchPage,
        extractor: ArticleExtractor,
        format: BatchFormat,
        first: Bool
    ) -> ([UInt8], Bool) {
        var json = JSONWriter()
        var failure: String?
        var extracted: ExtractedPage?
        do {
            let bytes = try PageFile.read(page.path)
            let document = FetchedDocument(requestedURL: "file://" + page.path, body: bytes)
            extracted = try extractor.extractArticle(from: document)
        } catch {
            failure = "\(error)"
        }
        switch format {
        case .json:
            var prefix = first ? "" : ","
            prefix += "\n"
            json.beginObject()
            json.key(page.id)
            Self.writeFields(extracted, failure: failure, id: nil, to: &json)
            json.endObject()
            // Drop the wrapping braces: the batch writes one object for all pages.
            var bytes = json.bytes
            bytes.removeFirst()
            bytes.removeLast()
            return (Array(prefix.utf8) + bytes, failure != nil)
        case .ndjson:
            Self.writeFields(extracted, failure: failure, id: page.id, to: &json)
            return (json.bytes + [10], failure != nil)
        }
    }

    private static func writeFields(_ page: ExtractedPage?, failure: String?, id: String?, to json: inout JSONWriter) {
        json.beginObject()
        json.field("id", id)
        json.field("articleBody", page?.text ?? "")
        if let page {
            json.field("title", page.title)
            json.field("authors", page.authors)
            json.field("published", page.published.map(RFC3339.string(from:)))
            json.field("updated", page.updated.map(RFC3339.string(from:)))
            json.field("language", page.language)
            json.field("url", page.canonicalURL)
            json.field("site_name", page.siteName)
            json.field("description", page.description)
            json.field("image", page.image)
            json.field("categories", page.categories)
            json.field("page_status", page.pageStatus.rawValue)
            json.field("encoding", page.encoding)
        }
        json.field("error", failure)
        json.endObject()
    }
}

/// The shared cursor and in-order hand-off of a batch.
private final class BatchState: @unchecked Sendable {
    // @unchecked: every field is read and written with `condition` held.
    private let condition = NSCondition()
    private let window: Int
    private var next = 0
    private var written = 0
    private var pending: [Int: [UInt8]] = [:]
    private(set) var failures = 0

    init(window: Int) { self.window = window }

    /// The next page to do, waiting while too many finished records wait for the writer.
    func nextIndex(limit: Int) -> Int? {
        self.condition.lock()
        defer { self.condition.unlock() }
        while self.next < limit && self.next - self.written >= self.window { self.condition.wait() }
        guard self.next < limit else { return nil }
        self.next += 1
        return self.next - 1
    }

    func finish(_ index: Int, record: [UInt8], failed: Bool, write: ([UInt8]) -> Void) {
        self.condition.lock()
        defer { self.condition.unlock() }
        if failed { self.failures += 1 }
        self.pending[index] = record
        while let ready = self.pending.removeValue(forKey: self.written) {
            write(ready)
            self.written += 1
        }
        self.condition.broadcast()
    }
}
