/// One feed to fetch, as named by a pipeline file, an OPML file or the command line.
public struct FeedRequest: Sendable, Hashable, Codable {
    /// Position of the feed in the source list; output order follows it.
    public var sequence: Int
    public var url: String
    /// A display name from the pipeline file or OPML, if given.
    public var name: String?

    public init(sequence: Int, url: String, name: String? = nil) {
        self.sequence = sequence
        self.url = url
        self.name = name
    }
}

/// A position in the stream: the feed's place in the source list and the item's place in the feed.
///
/// Records flow out of order between stages; this key restores the order before dedup.
public struct SequenceNumber: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var feed: Int
    public var item: Int

    public init(feed: Int, item: Int) {
        self.feed = feed
        self.item = item
    }

    public static func < (lhs: SequenceNumber, rhs: SequenceNumber) -> Bool {
        (lhs.feed, lhs.item) < (rhs.feed, rhs.item)
    }

    public var description: String { "\(self.feed).\(self.item)" }
}
