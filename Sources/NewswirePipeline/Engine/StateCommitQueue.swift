import Dispatch
import NewswireDedup
import NewswireState
import Synchronization

/// Stores the output stage's commits in a SQLite state file on a thread of its own, so the
/// sink thread goes on deciding and writing records while SQLite writes its pages and syncs.
///
/// At most one commit is in flight: the output stage waits for it (``wait()``) before it
/// commits the sink again, so the state is never more than one checkpoint behind the sink,
/// as it is in the moment between the two when both run on the sink thread. A crash leaves
/// the same states to recover from either way.
final class StateCommitQueue: Sendable {
    private let store: StateStore
    private let queue = DispatchQueue(label: "newswire.state-commit", qos: .userInitiated)
    private let failure = Mutex<(any Error)?>(nil)

    init(store: StateStore) {
        self.store = store
    }

    /// Stores `commit` after the ones submitted before it, then calls `stored`; after a
    /// failure, stores nothing more.
    func submit(_ commit: StateCommit, then stored: @escaping @Sendable () -> Void = {}) {
        self.queue.async {
            guard self.failure.withLock({ $0 == nil }) else { return }
            do {
                try self.store.commit(commit)
                stored()
            } catch {
                self.failure.withLock { $0 = error }
            }
        }
    }

    /// Waits until every submitted commit is stored (or has failed).
    /// - Returns: The first failure, if any.
    @discardableResult
    func wait() -> (any Error)? {
        self.queue.sync {}
        return self.failure.withLock { $0 }
    }
}
