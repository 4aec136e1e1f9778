import Foundation
import NewswireCore
import NewswireDedup
import NewswireState
import Testing

private func temporaryPath() -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("newswire-state-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.appendingPathComponent("state.sqlite").path
}

/// An invented text of `count` distinct-ish words about topic `topic`.
private func inventedText(_ topic: Int, words count: Int = 120) -> String {
    (0..<count).map { "w\(topic)x\(($0 * 7919 + topic * 104_729) % 5003)" }.joined(separator: " ")
}

private func article(_ url: String, _ text: String, sequence: Int) -> Article {
    var article = Article(sequence: SequenceNumber(feed: 0, item: sequence), url: url)
    article.text = text
    return article
}

@Suite struct StateStoreTests {
    @Test func createsSchemaInWALMode() throws {
        let path = temporaryPath()
        let store = try StateStore(path: path)
        #expect(try store.appliedMigrations() == StateStore.migrationNames)
        #expect(try store.journalMode() == "wal")
        // Reopening applies nothing twice.
        let reopened = try StateStore(path: path)
        #expect(try reopened.appliedMigrations() == StateStore.migrationNames)
    }

    @Test func refusesAFileThatIsNotADatabase() throws {
        let path = temporaryPath()
        try Data("not a database at all, just text".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: StateError.self) { try StateStore(path: path) }
    }

    @Test func savesAndLoadsSeenArticlesInFirstStoredOrder() throws {
        let store = try StateStore.inMemory()
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        let first = SeenArticle(
            id: "00000000000000b1",
            url: "https://a.example/1",
            contentHash: UInt64.max - 5,
            signature: [1, 2, 3, 255],
            hasText: true,
            revision: 1,
            duplicateOf: nil,
            seenAt: date
        )
        var second = first
        second.id = "00000000000000a2"
        second.url = "https://a.example/2"
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
    }

    @Test func evictsByTimeSeen() throws {
        let store = try StateStore.inMemory()
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let articles = (0..<5).map { index in
            SeenArticle(
                id: String(format: "%016x", index),
                url: "https://a.example/\(index)",
                contentHash: UInt64(index),
                signature: [],
                hasText: false,
                revision: 1,
                duplicateOf: nil,
                seenAt: base.addingTimeInterval(Double(index) * 86_400)
            )
        }
        try store.saveSeenArticles(articles, checkpoints: [:])
        #expect(try store.evictSeenArticles(seenBefore: base.addingTimeInterval(2 * 86_400)) == 2)
        #expect(
            try store.loadSeenArticles(seenSince: .distantPast).map(\.url) == (2..<5).map { "https://a.example/\($0)" }
        )
    }

    @Test func keepsFeedValidatorsAndSchedules() throws {
        let store = try StateStore.inMemory()
        let feed = FeedState(
            url: "https://a.example/rss.xml",
            etag: "\"abc\"",
            lastModified: "Tue, 24 Nov 2026 10:00:00 GMT",
            lastSuccessAt: Date(timeIntervalSince1970: 1_800_000_000),
            nextPollAt: Date(timeIntervalSince1970: 1_800_000_900),
            intervalSeconds: 900,
            consecutiveFailures: 0
        )
        try store.saveFeedState(feed)
        #expect(try store.feedState(for: feed.url) == feed)
        var failed = feed
        failed.consecutiveFailures = 3
        failed.lastError = "timeout"
        try store.saveFeedState(failed)
        #expect(try store.allFeedStates() == [failed])
        #expect(try store.feedState(for: "https://other.example/") == nil)
    }

    @Test func deduplicatorRestartsFromAPopulatedDatabase() throws {
        let path = temporaryPath()
        let count = 300
        var ids: [String] = []
        do {
            let deduplicator = try Deduplicator(store: StateStore(path: path))
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
        let store = try StateStore(path: path)
        #expect(try store.seenArticleCount() == count)
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
