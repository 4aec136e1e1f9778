/// One entry of a fetched feed, on its way to its article page.
public struct FeedItem: Sendable, Hashable {
    public var sequence: SequenceNumber
    /// The URL of the feed that announced the item.
    public var feedURL: String
    public var feedTitle: String?
    public var entry: FeedEntry

    public init(sequence: SequenceNumber, feedURL: String, feedTitle: String?, entry: FeedEntry) {
        self.sequence = sequence
        self.feedURL = feedURL
        self.feedTitle = feedTitle
        self.entry = entry
    }
}
