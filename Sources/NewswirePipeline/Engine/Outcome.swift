public import NewswireCore
import NewswireDedup

/// What one position of the stream turned out to be.
enum Outcome: Sendable {
    /// The feed itself (item 0 of a feed's place): fetched and parsed, unchanged, or failed,
    /// with the feed's new state for the store.
    case feed(FeedReport)
    /// An article, with the link that was followed for it (if any) and warnings for the log.
    case article(Article, link: String?, warnings: [String], prepared: Deduplicator.Prepared)
    /// An item whose page was decided in an earlier run: not fetched again.
    case seen
    /// An item that the feed's `since`, `max_items`, `keep` or `drop` left out.
    case filtered
    case failure(ErrorRecord)
    /// A position with nothing to emit (item 0 of a page task).
    case nothing
}

/// How one feed fetch went.
struct FeedReport: Sendable {
    enum Result: Sendable {
        case parsed
        /// 304 Not Modified: nothing new.
        case unchanged
        case failed
    }

    var result: Result
    var items: Int
    var error: ErrorRecord?
    /// The feed's state after this fetch; stored when its items have been written.
    var state: FeedState?
    /// What the poll found, for the daemon's scheduler.
    var poll: PollOutcome?
}
