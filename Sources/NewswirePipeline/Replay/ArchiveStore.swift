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
                let reader = try WARCReader(path: path, offset: streamed ? 0 : offset, options: Self.readerOptions)
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

    /// What a fetch of `url` gives in the archive: capture `number` (else the URL's first),
    /// with its redirects followed to captures of their targets.
    func fetch(_ url: String, capture number: Int?, in index: ArchiveIndex) -> Result<FetchedDocument, FetchError> {
        var current = url
        var chosen = number ?? index.firstCapture(of: url)
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
                chosen = index.firstCapture(of: target)
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
