import NewswireCore
import NewswireDedup
import NewswireState
import Testing

import struct Foundation.Date

/// What every state store of the engine is: the SQLite one and the PostgreSQL one pass the
/// same tests, written once here and run by each store's test target.
public typealias ConformingStateStore = PipelineStateStore & SharedDedupStore & OutboxStore

/// The store tests, as bodies that take the store under test (or a way to open it again).
///
/// Each body checks what ``PipelineStateStore``, ``SharedDedupStore`` and ``OutboxStore``
/// promise, through those protocols only.
public enum StateStoreConformance {
    public static func savesAndLoadsSeenArticlesInFirstStoredOrder(_ store: some ConformingStateStore) throws {
        let date = Date(timeIntervalSince1970: 1_800_000_000.123_456_789)
        let first = seenArticle(
            "00000000000000b1",
            seenAt: date,
            contentHash: UInt64.max - 5,
            signature: [1, 2, 3, 255]
        )
        var second = seenArticle("00000000000000a2", seenAt: date)
        second.duplicateOf = first.id
        try store.saveSeenArticles([first, second], checkpoints: ["sink.offset": "100"])
        var updated = first
        updated.revision = 2
        updated.contentHash = 7
        try store.saveSeenArticles([updated], checkpoints: ["sink.offset": "200"])
        let loaded = try store.loadSeenArticles(seenSince: .distantPast)
        #expect(loaded == [updated, second])
        let later = date.addingTimeInterval(3600)
        try store.saveSeenArticles([], seenAgain: [second.id: later], checkpoints: [:])
        #expect(try store.loadSeenArticles(seenSince: later).map(\.id) == [second.id])
        #expect(try store.checkpoint(named: "sink.offset") == "200")
        #expect(try store.checkpoint(named: "missing") == nil)
    }

    public static func keepsTheLastValuesOfAnArticleCommittedTwice(_ store: some ConformingStateStore) throws {
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        let other = seenArticle("00000000000000c1", seenAt: date)
        let first = seenArticle("00000000000000c2", seenAt: date)
        var revised = first
        revised.revision = 2
        revised.contentHash = 99
        try store.commit(StateCommit(articles: [first, other, revised]))
        #expect(try store.loadSeenArticles(seenSince: .distantPast) == [revised, other])
    }

    public static func evictsByTimeSeen(_ store: some ConformingStateStore) throws {
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let articles = (0..<5).map { index in
            seenArticle(hexID(index), seenAt: base.addingTimeInterval(Double(index) * 86_400))
        }
        let links = [hexID(100): base, hexID(101): base.addingTimeInterval(3 * 86_400)]
        try store.commit(StateCommit(articles: articles, links: links))
        #expect(try store.loadSeenLinks(seenSince: .distantPast) == [hexID(100), hexID(101)])
        #expect(try store.evictSeenArticles(seenBefore: base.addingTimeInterval(2 * 86_400)) == 2)
        #expect(try store.loadSeenArticles(seenSince: .distantPast).map(\.id) == (2..<5).map(hexID))
        #expect(try store.loadSeenLinks(seenSince: .distantPast) == [hexID(101)])
    }

    public static func keepsFeedValidatorsAndSchedules(_ store: some ConformingStateStore) throws {
        let feed = FeedState(
            url: "https://a.example/rss.xml",
            etag: "\"abc\"",
            lastModified: "Tue, 24 Nov 2026 10:00:00 GMT",
            lastSuccessAt: Date(timeIntervalSince1970: 1_800_000_000),
            nextPollAt: Date(timeIntervalSince1970: 1_800_000_900),
            intervalSeconds: 900,
            consecutiveFailures: 0
        )
        try store.commit(StateCommit(feeds: [feed]))
        #expect(try store.feedState(for: feed.url) == feed)
        var failed = feed
        failed.consecutiveFailures = 3
        failed.lastError = "timeout, with a \"quote\", a \\ and a {brace}"
        failed.lastAttemptAt = Date(timeIntervalSince1970: 1_800_000_950.25)
        failed.lastNewItemAt = Date(timeIntervalSince1970: 1_799_999_000)
        failed.lastItemKey = Int64.min + 3
        failed.location = "https://b.example/feed"
        failed.goneAt = Date(timeIntervalSince1970: 1_800_000_960)
        failed.lastStatus = 410
        let second = FeedState(url: "https://0.example/atom.xml", intervalSeconds: 60)
        try store.commit(StateCommit(feeds: [failed, second]))
        #expect(try store.allFeedStates() == [second, failed])
        #expect(try store.feedState(for: "https://other.example/") == nil)
    }

    public static func storesOutboxRecordsInCommitOrder(_ store: some ConformingStateStore) throws {
        #expect(try store.outboxStatus() == OutboxStatus(count: 0, lastPosition: 0))
        let records = (0..<5).map { index in
            OutboxRecord(
                key: hexID(index),
                value: Array("{\"id\":\"\(hexID(index))\",\"text\":\"é \\\" \(index)\"}".utf8) + [0, 255],
                headers: [
                    OutboxHeader(name: "feed", value: "https://a.example/\(index).xml"),
                    OutboxHeader(name: "revision", value: "\(index + 1)"),
                ],
                firstSeen: false
            )
        }
        try store.commit(StateCommit(outbox: Array(records[0..<3])))
        try store.commit(StateCommit(outbox: Array(records[3...])))
        let entries = try store.outboxEntries(after: 0, limit: 100)
        #expect(entries.map(\.record) == records)
        #expect(entries.map(\.position) == entries.map(\.position).sorted())
        #expect(Set(entries.map(\.position)).count == 5)
        #expect(try store.outboxEntries(after: entries[1].position, limit: 2).map(\.record) == Array(records[2..<4]))
        #expect(try store.outboxStatus() == OutboxStatus(count: 5, lastPosition: entries[4].position))
        try store.deleteOutbox(through: entries[2].position)
        #expect(try store.outboxEntries(after: 0, limit: 100).map(\.record) == Array(records[3...]))
        try store.deleteOutbox(through: entries[4].position)
        #expect(try store.outboxStatus() == OutboxStatus(count: 0, lastPosition: entries[4].position))
        // Positions are never reused.
        try store.commit(StateCommit(outbox: [records[0]]))
        #expect(try store.outboxEntries(after: 0, limit: 10).map(\.position).allSatisfy { $0 > entries[4].position })
    }

    /// A `firstSeen` record whose article was stored by an earlier commit is dropped, and the
    /// stored article is left as it was; the other records of the commit stay.
    public static func dropsTheFirstSeenRecordOfAnArticleStoredBefore(_ store: some ConformingStateStore) throws {
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        let original = seenArticle(hexID(1), seenAt: date)
        try store.commit(
            StateCommit(articles: [original], outbox: [record(hexID(1), "first", firstSeen: true)])
        )
        var again = original
        again.url = "https://elsewhere.example/1"
        let fresh = seenArticle(hexID(2), seenAt: date)
        let later = date.addingTimeInterval(60)
        try store.commit(
            StateCommit(
                articles: [again, fresh],
                // Announced again in the same commit: the stored article's time seen moves.
                seenAgain: [hexID(1): later],
                outbox: [
                    record(hexID(1), "second", firstSeen: true), record(hexID(2), "fresh", firstSeen: true),
                    record(hexID(1), "revision", firstSeen: false),
                ]
            )
        )
        #expect(
            try store.outboxEntries(after: 0, limit: 10).map { String(decoding: $0.record.value, as: UTF8.self) } == [
                "first", "fresh", "revision",
            ]
        )
        var touched = original
        touched.seenAt = later
        #expect(try store.loadSeenArticles(seenSince: .distantPast) == [touched, fresh])
    }

    public static func readsSeenArticlesAfterAPosition(_ store: some ConformingStateStore) throws {
        #expect(try store.lastSeenPosition() == 0)
        #expect(try store.seenArticles(after: 0, limit: 10).articles.isEmpty)
        #expect(try store.seenArticles(after: 0, limit: 10).last == 0)
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        let batches = [(0..<3), (3..<4), (4..<9)].map { range in range.map { seenArticle(hexID(20 - $0), seenAt: date) }
        }
        var positions: [Int64] = []
        for batch in batches {
            try store.commit(StateCommit(articles: batch))
            positions.append(try store.lastSeenPosition())
        }
        #expect(positions == positions.sorted() && Set(positions).count == 3)
        let all = try store.seenArticles(after: 0, limit: 100)
        #expect(all.articles == batches.flatMap { $0 })
        #expect(all.last == positions[2])
        let afterFirst = try store.seenArticles(after: positions[0], limit: 3)
        #expect(afterFirst.articles == batches[1] + batches[2].prefix(2))
        let rest = try store.seenArticles(after: afterFirst.last, limit: 100)
        #expect(rest.articles == Array(batches[2].dropFirst(2)))
        #expect(try store.seenArticles(after: rest.last, limit: 100) == ([], rest.last))
    }

    /// A commit of 500 articles with links, feeds, checkpoints and outbox records stores all of
    /// them, atomically.
    public static func storesALargeCommit(_ store: some ConformingStateStore) throws {
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        let articles = (0..<500).map { index in
            seenArticle(hexID(1000 + index), seenAt: date, signature: (0..<64).map { UInt8(($0 * 7 + index) % 256) })
        }
        let commit = StateCommit(
            articles: articles,
            links: Dictionary(uniqueKeysWithValues: (0..<100).map { (hexID(5000 + $0), date) }),
            feeds: (0..<50).map { FeedState(url: "https://feeds.example/\($0).xml", etag: "e\($0)") },
            checkpoints: ["sink.offset": "12345", "sink.file": "out.ndjson"],
            outbox: articles.map { record($0.id, "record \($0.id)", firstSeen: true) }
        )
        try store.commit(commit)
        #expect(try store.loadSeenArticles(seenSince: .distantPast) == articles)
        #expect(try store.loadSeenLinks(seenSince: .distantPast).count == 100)
        #expect(try store.allFeedStates().count == 50)
        #expect(try store.checkpoint(named: "sink.file") == "out.ndjson")
        #expect(try store.outboxEntries(after: 0, limit: 1000).map(\.record) == commit.outbox)
    }

    /// A deduplicator restarted on the store (`open` gives the same store again) knows every
    /// article marked written, and nothing decided but not marked.
    public static func deduplicatorRestartsFromAPopulatedStore(
        _ open: () throws -> any ConformingStateStore
    ) throws {
        let count = 300
        var ids: [String] = []
        do {
            let deduplicator = try Deduplicator(store: open())
            for index in 0..<count {
                var item = article("https://site.example/story/\(index)", inventedText(index), sequence: index)
                #expect(deduplicator.decide(&item).reason == .new)
                ids.append(item.id ?? "")
            }
            try deduplicator.markWritten(through: SequenceNumber(feed: 0, item: count - 1))
            // One more, decided but never marked written: as if the process died before the sink synced.
            var inFlight = article("https://site.example/in-flight", inventedText(9999), sequence: count)
            _ = deduplicator.decide(&inFlight)
        }
        let store = try open()
        #expect(try store.loadSeenArticles(seenSince: .distantPast).count == count)
        let restarted = try Deduplicator(store: store)
        #expect(restarted.indexedCount == count)
        // The same URLs (with tracking parameters) are seen; copies under new URLs are duplicates
        // of the right article; the in-flight article is new again.
        for index in stride(from: 0, to: count, by: 37) {
            var again = article("https://site.example/story/\(index)?utm_source=x", inventedText(index), sequence: 0)
            #expect(restarted.decide(&again).reason == .seen)
            var copy = article("https://mirror.example/\(index)", inventedText(index) + " extra words", sequence: 0)
            let decision = restarted.decide(&copy)
            #expect(decision.duplicateOf == ids[index])
        }
        var inFlight = article("https://site.example/in-flight", inventedText(9999), sequence: 1)
        #expect(restarted.decide(&inFlight).reason == .new)
    }
}

/// A seen article with invented values.
public func seenArticle(
    _ id: String,
    seenAt: Date,
    contentHash: UInt64 = 42,
    signature: [UInt8] = []
) -> SeenArticle {
    SeenArticle(
        id: id,
        url: "https://a.example/\(id)",
        contentHash: contentHash,
        signature: signature,
        hasText: !signature.isEmpty,
        revision: 1,
        duplicateOf: nil,
        seenAt: seenAt
    )
}

/// An outbox record whose value is `text`.
public func record(_ key: String, _ text: String, firstSeen: Bool) -> OutboxRecord {
    OutboxRecord(
        key: key,
        value: Array(text.utf8),
        headers: [OutboxHeader(name: "revision", value: firstSeen ? "1" : "2")],
        firstSeen: firstSeen
    )
}

/// `index` as a 16-hex-digit article id.
public func hexID(_ index: Int) -> String {
    let digits = String(index, radix: 16)
    return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
}

/// An invented text of `count` distinct-ish words about topic `topic`.
public func inventedText(_ topic: Int, words count: Int = 120) -> String {
    (0..<count).map { "w\(topic)x\(($0 * 7919 + topic * 104_729) % 5003)" }.joined(separator: " ")
}

private func article(_ url: String, _ text: String, sequence: Int) -> Article {
    var article = Article(sequence: SequenceNumber(feed: 0, item: sequence), url: url)
    article.text = text
    return article
}
