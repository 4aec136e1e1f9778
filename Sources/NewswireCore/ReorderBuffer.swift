/// Restores source order for records that finish out of order.
///
/// Every feed (in source order) announces how many items it has once it is parsed;
/// every item then arrives once, in any order, as a value or as a "skip" (`nil`, for an
/// item whose page failed). `insert` returns the values that are now next in order.
/// The buffer holds only what waits on an earlier, unfinished item.
///
/// Confined to one serial queue (the dedup stage's); not thread-safe.
public struct ReorderBuffer<Value> {
    private var itemCounts: [Int: Int] = [:]
    private var pending: [SequenceNumber: Value?] = [:]
    private var next = SequenceNumber(feed: 0, item: 0)

    public init() {}

    /// Records that feed `feed` has `count` items (0 for a feed that failed).
    public mutating func setItemCount(_ count: Int, forFeed feed: Int) -> [Value] {
        self.itemCounts[feed] = count
        return self.drain()
    }

    /// Records the outcome of one item; `nil` when it produced no value.
    public mutating func insert(_ value: Value?, at sequence: SequenceNumber) -> [Value] {
        // Keyed by place alone: places grow across rounds, so the round adds nothing to the order.
        self.pending[SequenceNumber(feed: sequence.feed, item: sequence.item)] = .some(value)
        return self.drain()
    }

    /// Items waiting on an earlier one.
    public var waitingCount: Int { self.pending.count }

    /// The first position not yet released.
    public var position: SequenceNumber { self.next }

    private mutating func drain() -> [Value] {
        var released: [Value] = []
        while let count = self.itemCounts[self.next.feed] {
            if self.next.item >= count {
                self.itemCounts[self.next.feed] = nil
                self.next = SequenceNumber(feed: self.next.feed + 1, item: 0)
                continue
            }
            guard let outcome = self.pending.removeValue(forKey: self.next) else { break }
            if let value = outcome { released.append(value) }
            self.next.item += 1
        }
        return released
    }
}
