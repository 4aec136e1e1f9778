import Synchronization

public import struct Foundation.Date

/// The one source of "now" for a run: future-date checks, `fetched_at`, dedup windows and
/// error timestamps all read it, so a replay can run at capture time and give
/// byte-identical output.
public protocol NewswireClock: Sendable {
    /// The current time of this clock.
    func now() -> Date

    /// The time of something that follows work done at `cause` (a feed parsed, a page
    /// fetched for one of its items, a fetch that failed): the current time on a clock that
    /// runs; `cause` itself on a clock that stands at capture times (replay), so a result
    /// never depends on when a thread got to it.
    func now(after cause: Date) -> Date
}

extension NewswireClock {
    public func now(after cause: Date) -> Date { self.now() }
}

/// The machine's wall clock.
public struct SystemClock: NewswireClock {
    public init() {}

    public func now() -> Date { Date() }
}

/// A clock that moves only when told to: for tests, and for replay, which sets it to the
/// capture time of each record. Thread-safe.
public final class ManualClock: NewswireClock {
    private let current: Mutex<Date>

    public init(_ start: Date) {
        self.current = Mutex(start)
    }

    public func now() -> Date { self.current.withLock { $0 } }

    /// Sets the time.
    public func set(_ date: Date) {
        self.current.withLock { $0 = date }
    }

    /// Moves the time on by `seconds`.
    public func advance(by seconds: Double) {
        self.current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
