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

/// A position in the stream: the round of the source (a source that polls the same feeds
/// again starts a new round), the place of the work item in the run (a feed, or a page of
/// its own) and the item's place in it (0 for the work item itself, 1… for its items).
///
/// Records flow out of order between stages; this key restores the order before dedup.
/// Work-item places grow across rounds, so the order is (round, feed, item) either way.
public struct SequenceNumber: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var round: Int
    public var feed: Int
    public var item: Int

    public init(round: Int = 0, feed: Int, item: Int) {
        self.round = round
        self.feed = feed
        self.item = item
    }

    public static func < (lhs: SequenceNumber, rhs: SequenceNumber) -> Bool {
        (lhs.round, lhs.feed, lhs.item) < (rhs.round, rhs.feed, rhs.item)
    }

    public var description: String {
        self.round == 0 ? "\(self.feed).\(self.item)" : "\(self.round):\(self.feed).\(self.item)"
    }
}
