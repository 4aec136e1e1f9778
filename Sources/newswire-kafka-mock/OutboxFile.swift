import ArgumentParser
import Foundation
import NewswireCore
import Synchronization

/// An outbox for the test tools: every record in memory, read from a file of lines
/// `POSITION<TAB>KEY<TAB>FEED<TAB>VALUE` (or given directly), with the deleted-through
/// position kept in a marker file that is replaced atomically, so a relay killed at any
/// point and started again sees what it had deleted.
final class OutboxFile: OutboxStore {
    private let entries: [OutboxEntry]
    private let marker: URL?
    private let deleted: Mutex<Int64>

    /// The outbox in `file`, with its marker beside it (`FILE.deleted`).
    convenience init(file: URL) throws {
        let bytes = [UInt8](try Data(contentsOf: file))
        var entries: [OutboxEntry] = []
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: "\t"), maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count == 4, let position = Int64(String(decoding: fields[0], as: UTF8.self)) else {
                throw ValidationError("an outbox line is not POSITION<TAB>KEY<TAB>FEED<TAB>VALUE")
            }
            let record = OutboxRecord(
                key: String(decoding: fields[1], as: UTF8.self),
                value: Array(fields[3]),
                headers: [OutboxHeader(name: "feed", value: String(decoding: fields[2], as: UTF8.self))],
                firstSeen: true
            )
            entries.append(OutboxEntry(position: position, record: record))
        }
        try self.init(entries: entries, marker: file.appendingPathExtension("deleted"))
    }

    /// An outbox of `entries` (in position order); `marker` nil keeps it in memory only.
    init(entries: [OutboxEntry], marker: URL?) throws {
        self.entries = entries.sorted { $0.position < $1.position }
        self.marker = marker
        var deleted: Int64 = 0
        if let marker, let text = try? String(contentsOf: marker, encoding: .utf8) {
            deleted = Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }
        self.deleted = Mutex(deleted)
    }

    func outboxEntries(after position: Int64, limit: Int) throws -> [OutboxEntry] {
        let low = self.firstIndex(after: max(position, self.deleted.withLock { $0 }))
        return Array(self.entries[low..<min(self.entries.count, low + limit)])
    }

    func deleteOutbox(through position: Int64) throws {
        try self.deleted.withLock { deleted in
            guard position > deleted else { return }
            if let marker = self.marker {
                try Data("\(position)\n".utf8).write(to: marker, options: .atomic)
            }
            deleted = position
        }
    }

    func outboxStatus() throws -> OutboxStatus {
        let deleted = self.deleted.withLock { $0 }
        let remaining = self.entries.count - self.firstIndex(after: deleted)
        return OutboxStatus(count: remaining, lastPosition: self.entries.last?.position ?? 0)
    }

    /// The index of the first entry above `position`.
    private func firstIndex(after position: Int64) -> Int {
        var low = 0
        var high = self.entries.count
        while low < high {
            let middle = (low + high) / 2
            if self.entries[middle].position <= position { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
