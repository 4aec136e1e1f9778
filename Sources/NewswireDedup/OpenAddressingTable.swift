/// A hash table of article positions with linear probing, 4 bytes a slot.
///
/// The table stores only `position + 1` (0 marks an empty slot); the key of an entry is
/// read back from the caller's own arrays, so a table costs 4 bytes per slot whatever the
/// key. Any capacity works (slots are found by multiply-shift, Lemire's "fast range"), which
/// lets the table grow by half instead of doubling. Not thread-safe.
struct OpenAddressingTable {
    private(set) var slots: [UInt32]
    private(set) var count = 0
    /// The largest fraction of slots in use before the table grows.
    let maximumLoad: Double

    init(capacity: Int = 16, maximumLoad: Double = 0.8) {
        self.slots = [UInt32](repeating: 0, count: max(16, capacity))
        self.maximumLoad = maximumLoad
    }

    /// Bytes allocated.
    var memoryBytes: Int { self.slots.capacity * MemoryLayout<UInt32>.stride }

    /// Calls `body` with each position stored under `hash` until it returns `false`.
    @inline(__always)
    func forEach(hash: UInt64, _ body: (Int) -> Bool) {
        self.slots.withUnsafeBufferPointer { slots in
            var slot = Self.slot(for: hash, capacity: slots.count)
            while true {
                let value = slots[slot]
                if value == 0 { return }
                if !body(Int(value) - 1) { return }
                slot += 1
                if slot == slots.count { slot = 0 }
            }
        }
    }

    /// Adds `position` under `hash`; `hashOf` gives the hash of a stored position when the table grows.
    mutating func insert(_ position: Int, hash: UInt64, hashOf: (Int) -> UInt64) {
        precondition(position < Int(UInt32.max), "table positions are 32-bit")
        if Double(self.count + 1) > Double(self.slots.count) * self.maximumLoad {
            self.grow(to: self.slots.count + self.slots.count / 2, hashOf: hashOf)
        }
        Self.place(UInt32(position + 1), hash: hash, in: &self.slots)
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
            Self.place(value, hash: hashOf(Int(value) - 1), in: &slots)
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
    private static func slot(for hash: UInt64, capacity: Int) -> Int {
        Int(truncatingIfNeeded: ((hash >> 32) &* UInt64(capacity)) >> 32)
    }
}
