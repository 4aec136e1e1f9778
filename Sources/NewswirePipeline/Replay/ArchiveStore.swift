import Foundation
import NewswireArchive
import NewswireCore

/// Reads captures back from the archive: a WARC record from its offset (a revisit resolved
/// to its original), a saved document from its file, redirects followed through the
/// archive's own 3xx captures.
///
/// Used from one thread at a time: the scan, then the fetcher's read queue.
final class ArchiveStore {
    static let readerOptions = WARCReader.Options(recordTypes: [.response, .resource, .revisit])
    static let maxRedirects = 10

    let resolver = RevisitResolver()
    private var paths: [Int: String] = [:]
    /// Open readers of the files read last (one gzip member per record, or plain), most
    /// recent last, each moved to the record asked for: no file opened and no buffers
    /// allocated per page. A few, however many files the input has (each holds ~1.3 MB).
    private var readers: [(file: Int, reader: WARCReader)] = []
    static let openReaders = 4

    func register(file: Int, path: String) {
        self.paths[file] = path
    }

    /// The document of a revisit: a 304 for a `server-not-modified` revisit; the original's
    /// payload under the revisit's head and date otherwise. Nil for a record without a date.
    func revisitDocument(_ record: WARCRecord) -> Result<FetchedDocument, WARCError>? {
        guard let revisit = record.revisit, let url = record.targetURI, let date = record.date else { return nil }
        if revisit.isServerNotModified || record.http?.status == 304 {
            return .success(
                FetchedDocument(
                    requestedURL: url,
                    status: 304,
                    headers: record.http?.headers ?? HTTPHeaders(),
                    body: [],
                    fetchedAt: date
                )
            )
        }
        return self.resolver.resolve(record, options: Self.readerOptions).flatMap { original in
            guard let document = original.fetchedDocument else {
                return .failure(
                    WARCError(
                        code: .unresolvedRevisit,
                        path: record.location.path,
                        offset: record.location.offset,
                        message: "the original capture holds no HTTP response"
                    )
                )
            }
            return .success(document)
        }
    }

    /// The document of capture `number` of `index`.
    func document(_ number: Int, in index: ArchiveIndex) -> Result<FetchedDocument, FetchError> {
        let capture = index.captures[number]
        switch capture.location {
        case .file(let path):
            do {
                return .success(try SavedDocument.read(path: path, url: capture.url))
            } catch {
                return .failure(FetchError(code: .transport, url: capture.url, message: "\(error)"))
            }
        case .warc(let file, let offset, let uncompressedOffset):
            let path = self.paths[file] ?? ""
            let streamed = index.streamedFiles.contains(file)
            let record: WARCRecord
            do {
                let reader =
                    try streamed
                    ? WARCReader(path: path, options: Self.readerOptions) : self.reader(file, path, at: offset)
                var found: WARCRecord?
                while let item = reader.next() {
                    guard case .success(let read) = item else { continue }
                    if !streamed || read.location.uncompressedOffset == uncompressedOffset {
                        found = read
                        break
                    }
                }
                guard let found else {
                    throw WARCError(code: .truncated, path: path, offset: offset, message: "the record is gone")
                }
                record = found
            } catch {
                return .failure(FetchError(code: .transport, url: capture.url, message: "\(error)"))
            }
            let document: FetchedDocument?
            if record.type == .revisit {
                switch self.revisitDocument(record) {
                case .success(let resolved): document = resolved
                case .failure(let error):
                    return .failure(FetchError(code: .notArchived, url: capture.url, message: "\(error)"))
                case nil: document = nil
                }
            } else {
                document = record.fetchedDocument
            }
            guard let document else {
                return .failure(
                    FetchError(code: .transport, url: capture.url, message: "the capture holds no HTTP response")
                )
            }
            return .success(document)
        }
    }

    /// A reader of `file` at `offset`: an open one moved there, else a new one kept open.
    private func reader(_ file: Int, _ path: String, at offset: Int64) throws(WARCError) -> WARCReader {
        if let held = self.readers.firstIndex(where: { $0.file == file }) {
            let open = self.readers.remove(at: held)
            self.readers.append(open)
            open.reader.seek(to: offset)
            return open.reader
        }
        let reader = try WARCReader(path: path, offset: offset, options: Self.readerOptions)
        if self.readers.count == Self.openReaders { self.readers.removeFirst() }
        self.readers.append((file, reader))
        return reader
    }

    /// What a fetch of `url` asked at `date` gives in the archive: capture `number`, else the
    /// URL's capture nearest after `date` (``ArchiveIndex/capture(of:near:)``), with its
    /// redirects followed to the captures of their targets nearest after the redirect's.
    func fetch(
        _ url: String,
        capture number: Int?,
        near date: Date? = nil,
        in index: ArchiveIndex
    ) -> Result<FetchedDocument, FetchError> {
        var current = url
        var chosen = number ?? index.capture(of: url, near: date)
        for _ in 0...Self.maxRedirects {
            guard let capture = chosen else {
                let message =
                    current == url
                    ? "the archive holds no capture of this URL"
                    : "redirects to \(current), which the archive does not hold"
                return .failure(FetchError(code: .notArchived, url: url, message: message))
            }
            if case .redirect(let target) = index.captures[capture].kind {
                current = target
                chosen = index.capture(of: target, near: index.captures[capture].date)
                continue
            }
            return self.document(capture, in: index).map { document in
                var document = document
                document.requestedURL = url
                document.finalURL = current
                return document
            }
        }
        return .failure(FetchError(code: .transport, url: url, message: "more than \(Self.maxRedirects) redirects"))
    }
}
