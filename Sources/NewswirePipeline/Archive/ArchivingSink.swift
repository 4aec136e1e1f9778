import Foundation
import NewswireCore

/// A sink that commits the WARC archive with the records: each commit first syncs the
/// archive, then the inner sink, and stores both positions in one checkpoint, so a crash
/// leaves no archived exchange behind that the restarted crawl will not make again.
final class ArchivingSink: RecordSink {
    private let inner: any RecordSink
    private let recorder: ArchiveRecorder

    init(_ inner: any RecordSink, recorder: ArchiveRecorder) {
        self.inner = inner
        self.recorder = recorder
    }

    var checkpointNames: [String] { self.inner.checkpointNames + [ArchiveRecorder.checkpointName] }

    /// The archive was brought back when the recorder opened; the inner sink is now.
    func recover(from checkpoint: [String: String]) throws {
        var rest = checkpoint
        rest[ArchiveRecorder.checkpointName] = nil
        try self.inner.recover(from: rest)
    }

    func write(_ article: Article) throws { try self.inner.write(article) }

    func write(_ error: ErrorRecord) throws { try self.inner.write(error) }

    func commit() throws -> [String: String] {
        let archived = try self.recorder.commit()
        var checkpoint = try self.inner.commit()
        checkpoint[ArchiveRecorder.checkpointName] = archived
        return checkpoint
    }

    var nextCommitDue: Date? { self.inner.nextCommitDue }

    func close() throws { try self.inner.close() }

    func takeOutbox() -> [OutboxRecord] { self.inner.takeOutbox() }

    var writesToOutbox: Bool { self.inner.writesToOutbox }
}
