import NewswireCore
import Synchronization

/// A test double of the state store's outbox: records get increasing positions in the order
/// they are added. Kafka, which the relay publishes them to, is real.
final class InMemoryOutboxStore: OutboxStore {
    private struct State {
        var entries: [OutboxEntry] = []
        var lastPosition: Int64 = 0
        var deletes = 0
    }
    private let state = Mutex(State())

    /// Adds records; returns their positions.
    @discardableResult
    func add(_ records: [OutboxRecord]) -> [Int64] {
        self.state.withLock { state in
            records.map { record in
                state.lastPosition += 1
                state.entries.append(OutboxEntry(position: state.lastPosition, record: record))
                return state.lastPosition
            }
        }
    }

    func outboxEntries(after position: Int64, limit: Int) throws -> [OutboxEntry] {
        self.state.withLock { Array($0.entries.lazy.filter { $0.position > position }.prefix(limit)) }
    }

    func deleteOutbox(through position: Int64) throws {
        self.state.withLock { state in
            state.entries.removeAll { $0.position <= position }
            state.deletes += 1
        }
    }

    func outboxStatus() throws -> OutboxStatus {
        self.state.withLock { OutboxStatus(count: $0.entries.count, lastPosition: $0.lastPosition) }
    }
}

/// `count` invented article records, numbered from `first`.
func articleRecords(_ count: Int, from first: Int = 0) -> [OutboxRecord] {
    (first..<first + count).map { index in
        let id = "a\(index)"
        let value =
            #"{"id":"\#(id)","title":"Ferry timetable changes, part \#(index)","feed":"https://ferries.example.invalid/rss"}"#
        return OutboxRecord(
            key: id,
            value: Array(value.utf8),
            headers: [
                OutboxHeader(name: "feed", value: "https://ferries.example.invalid/rss"),
                OutboxHeader(name: "revision", value: "1"),
            ],
            firstSeen: true
        )
    }
}
