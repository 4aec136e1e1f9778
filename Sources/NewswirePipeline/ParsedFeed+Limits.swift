import NewswireCore

extension ParsedFeed {
    /// A `limit` error record for a feed the parser read only in part because a budget ran
    /// out (its ``ParsedFeed/error`` starts with `limit:`), while its entries still count.
    func limitRecord(feedURL: String) -> ErrorRecord? {
        guard !self.entries.isEmpty, let message = self.error, message.hasPrefix("limit:") else { return nil }
        let detail = message.dropFirst("limit:".count).drop { $0 == " " }
        return ErrorRecord(kind: .limit, stage: .feed, url: feedURL, message: String(detail))
    }
}
