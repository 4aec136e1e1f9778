/// Counts of one run, for the closing summary and the progress line.
public struct CrawlSummary: Sendable, Hashable {
    public var feedsTotal = 0
    public var feedsOK = 0
    public var feedsFailed = 0
    /// Feeds that answered 304 Not Modified (counted in `feedsOK` too).
    public var feedsUnchanged = 0
    /// Feed entries seen.
    public var items = 0
    /// Article pages finished (written, dropped or failed).
    public var pagesDone = 0
    /// Article records written.
    public var articles = 0
    /// Items whose page an earlier run (or an earlier item) already decided: not fetched again.
    public var seen = 0
    /// Items left out by `since`, `max_items`, `keep` or `drop`.
    public var filtered = 0
    /// New pages that repeat an earlier story (annotated or left out).
    public var duplicates = 0
    /// Error records written.
    public var errors = 0
    /// Wall-clock seconds.
    public var seconds = 0.0

    public init() {}

    /// One line for standard error.
    public var line: String {
        let time = (self.seconds * 10).rounded() / 10
        let unchanged = self.feedsUnchanged > 0 ? " (\(self.feedsUnchanged) unchanged)" : ""
        return "feeds \(self.feedsOK) ok\(unchanged), \(self.feedsFailed) failed · items \(self.items)"
            + " · articles \(self.articles) · seen \(self.seen)"
            + (self.filtered > 0 ? " · filtered \(self.filtered)" : "") + " · duplicates \(self.duplicates)"
            + " · errors \(self.errors) · \(time) s"
    }
}
