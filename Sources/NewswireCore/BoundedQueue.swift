import DequeModule
import Foundation

/// A first-in first-out hand-off between two pipeline stages, with a fixed capacity.
///
/// `put` blocks while the queue is full: that is the pipeline's backpressure, so a slow
/// sink slows the fetcher instead of growing memory. `take` blocks while it is empty and
/// returns `nil` once the queue is closed and drained, so shutdown drains instead of
/// dropping. Any thread may call any method; blocking calls must not run on a queue
/// whose progress the other side depends on.
public final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    // @unchecked: every access to `buffer` and `closed` holds `condition`'s lock.
    private let condition = NSCondition()
    private var buffer: Deque<Element>
    private var closed = false
    /// The most elements the queue holds at once.
    public let capacity: Int

    public init(capacity: Int) {
        precondition(capacity > 0, "a bounded queue needs room for one element")
        self.capacity = capacity
        self.buffer = Deque(minimumCapacity: capacity)
    }

    /// Appends `element`, waiting while the queue is full.
    ///
    /// - Returns: `false` if the queue was closed (the element is not added).
    @discardableResult
    public func put(_ element: Element) -> Bool {
        self.condition.lock()
        defer { self.condition.unlock() }
        while self.buffer.count >= self.capacity && !self.closed {
            self.condition.wait()
        }
        guard !self.closed else { return false }
        self.buffer.append(element)
        self.condition.broadcast()
        return true
    }

    /// Removes the oldest element, waiting while the queue is empty.
    ///
    /// - Returns: `nil` once the queue is closed and empty.
    public func take() -> Element? {
        self.condition.lock()
        defer { self.condition.unlock() }
        while self.buffer.isEmpty && !self.closed {
            self.condition.wait()
        }
        guard let element = self.buffer.popFirst() else { return nil }
        self.condition.broadcast()
        return element
    }

    /// Refuses further `put`s; `take` drains what is left, then returns `nil`.
    public func close() {
        self.condition.lock()
        self.closed = true
        self.condition.broadcast()
        self.condition.unlock()
    }

    /// How many elements wait in the queue now.
    public var count: Int {
        self.condition.lock()
        defer { self.condition.unlock() }
        return self.buffer.count
    }
}
