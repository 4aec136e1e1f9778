internal import CPrefetch

/// A hash table of article positions with linear probing, 4 bytes a slot.
///
/// A slot holds `position + 1` in its low 26 bits (0 marks an empty slot) and 6 bits of the
/// key's hash as a tag; the key itself is read back from the caller's own arrays, only for
/// entries whose tag matches (1 in 64 of the others), so probing stays inside this array even
/// at a high load. Any capacity works (slots are found by multiply-shift, Lemire's "fast
/// range"), which lets the table grow by 30 % instead of doubling. Not thread-safe.
struct OpenAddressingTable {
    private(set) var slots: [UInt32]
    private(set) var count = 0
    /// The largest fraction of slots in use before the table grows.
    let maximumLoad: Double

    /// Positions must stay below this (2^26 − 1, about 67 million articles).
    static let maximumPositions = (1 << 26) - 1
    private static let positionMask: UInt32 = (1 << 26) - 1

    init(capacity: Int = 16, maximumLoad: Double = 0.85) {
        self.slots = [UInt32](repeating: 0, count: max(16, capacity))
        self.maximumLoad = maximumLoad
    }

    /// Bytes allocated.
    var memoryBytes: Int { self.slots.capacity * MemoryLayout<UInt32>.stride }

    /// Calls `body` with each position stored under `hash` (and some others, which the
    /// caller tells apart by comparing keys) until it returns `false`.
    @inline(__always)
    func forEach(hash: UInt64, _ body: (Int) -> Bool) {
        let tag = Self.tag(for: hash)
        self.slots.withUnsafeBufferPointer { slots in
            var slot = Self.slot(for: hash, capacity: slots.count)
            while true {
                let value = slots[slot]
                if value == 0 { return }
                if value & ~Self.positionMask == tag, !body(Int(value & Self.positionMask) - 1) { return }
                slot += 1
                if slot == slots.count { slot = 0 }
            }
        }
    }

    /// Asks memory for the first slot ``forEach(hash:_:)`` reads for `hash`, so several lookups
    /// can wait on memory at once.
    @inline(__always)
    func prefetch(hash: UInt64) {
        self.slots.withUnsafeBufferPointer { slots in
            newswire_prefetch(slots.baseAddress! + Self.slot(for: hash, capacity: slots.count))
        }
    }

    /// Adds `position` under `hash`; `hashOf` gives the hash of a stored position when the table grows.
    mutating func insert(_ position: Int, hash: UInt64, hashOf: (Int) -> UInt64) {
        precondition(position < Self.maximumPositions, "too many articles for one index")
        if Double(self.count + 1) > Double(self.slots.count) * self.maximumLoad {
            self.grow(to: self.slots.count + self.slots.count * 3 / 10, hashOf: hashOf)
        }
        Self.place(UInt32(position + 1) | Self.tag(for: hash), hash: hash, in: &self.slots)
        self.count += 1
    }

    /// Makes room for `total` entries without growing again.
    mutating func reserve(_ total: Int, hashOf: (Int) -> UInt64) {
        let needed = Int((Double(total) / self.maximumLoad).rounded(.up)) + 1
        if needed > self.slots.count { self.grow(to: needed, hashOf: hashOf) }
    }

    private mutating func grow(to capacity: Int, hashOf: (Int) -> UInt64) {
        var slots = [UInt32](repeating: 0, count: capacity)
        for value in self.slots where value != 0 {
            Self.place(value, hash: hashOf(Int(value & Self.positionMask) - 1), in: &slots)
        }
        self.slots = slots
    }

    private static func place(_ value: UInt32, hash: UInt64, in slots: inout [UInt32]) {
        slots.withUnsafeMutableBufferPointer { slots in
            var slot = Self.slot(for: hash, capacity: slots.count)
            while slots[slot] != 0 {
                slot += 1
                if slot == slots.count { slot = 0 }
            }
            slots[slot] = value
        }
    }

    @inline(__always)
    private static func tag(for hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash & 0x3f) << 26 }

    @inline(__always)
    private static func slot(for hash: UInt64, capacity: Int) -> Int {
        Int(truncatingIfNeeded: ((hash >> 32) &* UInt64(capacity)) >> 32)
    }
}
