import Dispatch
import Foundation
import NewswireArchive
import NewswireCore

/// Writes every HTTP exchange of a crawl to rotating WARC files (`archive: DIR`), on a serial
/// queue of its own, off the libcurl driver thread; commits with the sink's checkpoint.
///
/// Each hop of a redirect chain becomes its own response (and request) record under its own
/// URL, all dated at the fetch's time, so a replay follows the chain through the archive.
final class ArchiveRecorder: Sendable {
    /// The checkpoint name under which the archive's position is stored with the sink's.
    static let checkpointName = "archive"

    private let queue = DispatchQueue(label: "newswire.archive", qos: .userInitiated)
    // Touched only on `queue`.
    nonisolated(unsafe) private let writer: WARCWriter
    nonisolated(unsafe) private var failure: WARCError?

    /// Brings the folder back to `checkpoint` (what the sink last committed: later records
    /// belong to fetches that will be made again), then opens a new file; a file is closed
    /// and the next begun before a record would take it past `rotateBytes` (1 GiB if nil).
    ///
    /// - Throws: ``RunError`` when the folder cannot be recovered or written.
    init(directory: String, rotateBytes: Int? = nil, checkpoint: String?, clock: any NewswireClock) throws {
        let stored = checkpoint.flatMap { try? JSONDecoder().decode(WARCCheckpoint.self, from: Data($0.utf8)) }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            _ = try WARCWriter.recover(directory: directory, checkpoint: stored)
            var configuration = WARCWriter.Configuration(directory: directory, clock: { clock.now() })
            if let rotateBytes { configuration.maxFileBytes = Int64(rotateBytes) }
            self.writer = try WARCWriter(configuration: configuration)
        } catch {
            throw RunError("archive \(directory): \(error)")
        }
    }

    /// Queues the exchanges of one fetch for writing.
    func record(_ exchange: RawExchange, url: String, at date: Date) {
        self.queue.async {
            guard self.failure == nil else { return }
            do throws(WARCError) {
                for record in Self.records(of: exchange, url: url, at: date) {
                    _ = try self.writer.archive(record)
                }
            } catch {
                self.failure = error
            }
        }
    }

    /// Syncs what was queued so far and returns the position to store with the sink's checkpoint.
    /// - Throws: the first write failure of the run, or the sync's.
    func commit() throws -> String? {
        try self.queue.sync { () throws -> String? in
            if let failure = self.failure { throw failure }
            guard let checkpoint = try self.writer.commit() else { return nil }
            return String(decoding: try JSONEncoder().encode(checkpoint), as: UTF8.self)
        }
    }

    /// Closes the last file (it gets its final name).
    func close() throws {
        try self.queue.sync { () throws in
            if let failure = self.failure { throw failure }
            try self.writer.close()
        }
    }

    /// One exchange per hop: the hop's URL (the request's, then each `Location` in turn), its
    /// request head, and its response head (the last one with the body as received).
    static func records(of exchange: RawExchange, url: String, at date: Date) -> [HTTPExchange] {
        var records: [HTTPExchange] = []
        var current = url
        for (number, hop) in exchange.hops.enumerated() {
            let last = number == exchange.hops.count - 1
            records.append(
                HTTPExchange(
                    targetURI: current,
                    date: date,
                    ipAddress: exchange.ipAddress,
                    request: hop.request,
                    response: last ? hop.responseHead + exchange.body : hop.responseHead
                )
            )
            if !last, let location = Self.location(in: hop.responseHead),
                let next = DocumentSniffer.resolve(location, against: current)
            {
                current = next
            }
        }
        return records
    }

    /// The `Location` header of a raw response head.
    private static func location(in head: [UInt8]) -> String? {
        let text = String(decoding: head, as: UTF8.self)
        for line in text.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == "location" {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}
