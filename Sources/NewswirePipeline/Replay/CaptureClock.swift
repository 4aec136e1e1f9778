public import NewswireCore
import Synchronization

public import struct Foundation.Date

/// The replay's clock: it stands at the capture time of the record the source handed out
/// last, and what follows a piece of work happens at that work's own time
/// (``now(after:)`` returns its cause), since nothing takes time in a replay. The output of
/// a replay then depends on the archive alone, not on which thread got to a page first.
public final class CaptureClock: NewswireClock {
    private let current: Mutex<Date>

    public init(_ start: Date) {
        self.current = Mutex(start)
    }

    public func now() -> Date { self.current.withLock { $0 } }

    public func now(after cause: Date) -> Date { cause }

    /// Moves the clock to a capture time (the source does, before it hands the capture out).
    public func set(_ date: Date) {
        self.current.withLock { $0 = date }
    }
}
