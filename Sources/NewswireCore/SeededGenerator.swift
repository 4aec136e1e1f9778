/// A seeded random number generator (SplitMix64): the same seed gives the same numbers on
/// every platform, so a schedule's jitter, a generated benchmark site and a test's random
/// inputs can be replayed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        self.state = seed
    }

    public mutating func next() -> UInt64 {
        self.state &+= 0x9e37_79b9_7f4a_7c15
        var value = self.state
        value = (value ^ (value >> 30)) &* 0xbf58_476d_1ce4_e5b9
        value = (value ^ (value >> 27)) &* 0x94d0_49bb_1331_11eb
        return value ^ (value >> 31)
    }

    /// A value in `0..<bound` (the remainder of the next value: tests need no exact uniformity).
    public mutating func below(_ bound: Int) -> Int {
        Int(self.next() % UInt64(bound))
    }

    /// A number in `0..<1`.
    public mutating func nextUnit() -> Double {
        Double(self.next() >> 11) / Double(1 << 53)
    }
}
