import Foundation
import Logging
import NewswireCore
import NewswireDedup
import NewswireSink
import NewswireState
import Testing

@testable import NewswirePipeline

/// The PostgreSQL server of `scripts/with-postgres` (`scripts/test` runs the suite under it).
private let postgresURL = ProcessInfo.processInfo.environment["NEWSWIRE_TEST_POSTGRES"]

/// Two workers with NDJSON files of their own and one PostgreSQL store, each deciding the same
/// new story before either has committed (two feeds on two hosts list it and are polled at
/// the same moment): the store settles first seen at the commit, so one file holds it.
/// No engine runs: the test plays its part, handing decided work to each output stage.
@Suite(
    .serialized,
    .enabled(if: postgresURL != nil, "NEWSWIRE_TEST_POSTGRES is not set: run under scripts/with-postgres")
)
struct SharedFirstSeenTests {
    private let logger = Logger(label: "newswire.test", factory: { _ in SwiftLogNoOpLogHandler() })

    private func stage(_ url: String, output: URL) throws -> OutputStage {
        let store = try StateReader.open(url, logger: self.logger)
        let sink = NDJSONSink(articles: try LineWriter(.file(output.path)), errors: nil)
        return try OutputStage(
            sink: sink,
            store: store,
            dedup: DedupOptions(),
            clock: SystemClock(),
            commitInterval: 10_000,
            commitSpacing: .seconds(3600),
            logger: self.logger
        )
    }

    /// Hands `stories` (URL and text) to `stage` as the items of one feed, without committing.
    private func offer(_ stories: [(url: String, text: String)], to stage: OutputStage) {
        _ = stage.expect(items: stories.count + 1, at: 0)
        _ = stage.insert(.nothing, at: SequenceNumber(round: 0, feed: 0, item: 0))
        for (index, story) in stories.enumerated() {
            let sequence = SequenceNumber(round: 0, feed: 0, item: index + 1)
            var article = Article(sequence: sequence, url: story.url)
            article.text = story.text
            let fingerprint = TextFingerprinter().fingerprint(article.text)
            let prepared = Deduplicator.prepare(&article, fingerprint: fingerprint)
            _ = stage.insert(.article(article, link: nil, warnings: [], prepared: prepared), at: sequence)
        }
        stage.close(total: 1)
    }

    private func urls(in file: URL) -> [String] {
        lines(of: file).compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["url"] as? String
        }
    }

    @Test func twoWorkersDecidingOneStoryTogetherWriteItOnce() throws {
        let schema = "firstseen_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let url = "\(postgresURL ?? "")?schema=\(schema)"
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = ["a", "b"].map { folder.appendingPathComponent("worker-\($0).ndjson") }
        let first = try self.stage(url, output: files[0])
        let second = try self.stage(url, output: files[1])

        let shared = (
            url: "http://127.0.0.1:8201/harbour/ferry-timetable.html",
            text: "The ferry to Wendmoor Island runs twice a day from Saltcombe Harbour this winter."
        )
        let own = [
            (
                url: "http://127.0.0.1:8202/council/budget.html",
                text: "Brackley council agreed a budget for new cycle lanes along the river path."
            ),
            (
                url: "http://127.0.0.2:8203/sport/regatta.html",
                text: "The Ostley rowing club won the autumn regatta by two lengths on Sunday."
            ),
        ]
        // Both decide the shared story as new: neither has stored anything yet.
        self.offer([shared, own[0]], to: first)
        self.offer([own[1], shared], to: second)
        try first.finish()
        try second.finish()

        #expect(self.urls(in: files[0]) == [shared.url, own[0].url])
        #expect(self.urls(in: files[1]) == [own[1].url], "the story another worker stored first was written again")
        #expect(first.summary.articles == 2)
        #expect(second.summary.articles == 1)
        #expect(second.summary.seen == 1)

        // The store holds each story once, as the first worker stored it, and a new worker on
        // the same store writes none of them again.
        let third = folder.appendingPathComponent("worker-c.ndjson")
        let late = try self.stage(url, output: third)
        self.offer([shared, own[0], own[1]], to: late)
        try late.finish()
        #expect(self.urls(in: third).isEmpty)
        #expect(late.summary.seen == 3)
    }
}
