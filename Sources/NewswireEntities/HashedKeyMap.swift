/// A map from 64-bit feature hashes to small integers, for the look-ups the tagger makes for
/// every token (word clusters, gazetteer phrases).
///
/// The keys are hashes already, so a slot is found from the key's own bits (open addressing,
/// linear probing) instead of running `Hasher` (SipHash) on it as `Dictionary` does: the same
/// answers for a fraction of the cost. No removal. Key 0 is kept aside, as 0 marks an empty slot.
package struct HashedKeyMap<Value: FixedWidthInteger & Sendable>: Sendable {
    private var keys: [UInt64]
    private var values: [Value]
    private var zeroValue: Value?
    /// The number of keys.
    package private(set) var count = 0
    /// `64 - log2(slots)`: a slot is the top bits of the mixed key.
    private var shift: UInt64

    package init() {
        self.keys = Array(repeating: 0, count: 16)
        self.values = Array(repeating: 0, count: 16)
        self.shift = 60
    }

    package var isEmpty: Bool { self.count == 0 }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: ((key ^ key >> 32) &* 0x9E37_79B9_7F4A_7C15) >> self.shift)
    }

    /// The value of `key`; setting `nil` is not supported.
    package subscript(key: UInt64) -> Value? {
        @inline(__always) get {
            if key == 0 { return self.zeroValue }
            return self.keys.withUnsafeBufferPointer { keys in
                let mask = keys.count - 1
                var index = self.slot(key)
                while true {
                    let found = keys[index]
                    if found == key { return self.values[index] }
                    if found == 0 { return nil }
                    index = (index + 1) & mask
                }
            }
        }
        set {
            guard let value = newValue else { preconditionFailure("HashedKeyMap has no removal") }
            if key == 0 {
                if self.zeroValue == nil { self.count += 1 }
                self.zeroValue = value
                return
            }
            if (self.count + 1) * 2 > self.keys.count { self.grow() }
            let mask = self.keys.count - 1
            var index = self.slot(key)
            while self.keys[index] != 0 && self.keys[index] != key { index = (index + 1) & mask }
            if self.keys[index] == 0 {
                self.keys[index] = key
                self.count += 1
            }
            self.values[index] = value
        }
    }

    /// Doubles the slots (at most half of them are ever used).
    private mutating func grow() {
        let oldKeys = self.keys
        let oldValues = self.values
        self.keys = Array(repeating: 0, count: oldKeys.count * 2)
        self.values = Array(repeating: 0, count: oldKeys.count * 2)
        self.shift -= 1
        let mask = self.keys.count - 1
        for (key, value) in zip(oldKeys, oldValues) where key != 0 {
            var index = self.slot(key)
            while self.keys[index] != 0 { index = (index + 1) & mask }
            self.keys[index] = key
            self.values[index] = value
        }
    }
}
