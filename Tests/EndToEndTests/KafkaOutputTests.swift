import Foundation
import NewswireTesting
import Testing

/// `output: kafka://…` with the real binary against librdkafka's mock cluster (real Kafka
/// protocol over TCP on 127.0.0.1): records go through the state's outbox and the relay, keyed
/// by article id, exactly once across runs.
@Suite(.serialized) struct KafkaOutputTests {
    @Test func aCrawlPublishesEachArticleOnceKeyedByItsId() async throws {
        let kafka = try MockKafka()
        let site = try TestSite()
        _ = try await site.start()
        defer { Task { await site.stop() } }
        let feeds = [
            InventedNews.addFeed("lantern", stories: 3, to: site, seed: 10),
            InventedNews.addFeed("meadow", stories: 2, to: site, seed: 20),
        ]
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pipeline = folder.appendingPathComponent("kafka.yaml")
        try """
        name: wire
        feeds:
        \(feeds.map { "  - \($0)" }.joined(separator: "\n"))
        allow_networks: [127.0.0.0/8]
        output: kafka://\(kafka.bootstrap)/articles
        errors: out/errors.ndjson
        state: state/wire.sqlite
        entities: false
        """.write(to: pipeline, atomically: true, encoding: .utf8)

        let first = try await runNewswire(["crawl", pipeline.path, "--no-progress"])
        #expect(first.status == 0, "\(first.stderr)")
        let records = try await kafka.consume("articles")
        #expect(records.count == 5)
        for record in records {
            let object = try JSONSerialization.jsonObject(with: Data(record.value.utf8)) as? [String: Any]
            #expect(object?["id"] as? String == record.key)
            #expect((object?["text"] as? String)?.isEmpty == false)
        }
        #expect(Set(records.map(\.key)).count == 5)

        // A second run finds nothing new and publishes nothing; the outbox is empty.
        let second = try await runNewswire(["crawl", pipeline.path, "--no-progress"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try await kafka.consume("articles").count == 5)
        let status = try await runNewswire(["status", pipeline.path, "--json"])
        let report = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let outbox = report?["outbox"] as? [String: Any]
        #expect(outbox?["pending"] as? Int == 0)
        #expect((outbox?["last_position"] as? Int ?? 0) >= 5)
    }

    @Test func aKafkaOutputNeedsAState() async throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pipeline = folder.appendingPathComponent("bad.yaml")
        try "feeds: [http://127.0.0.1:9/rss.xml]\noutput: kafka://127.0.0.1:9/articles\n"
            .write(to: pipeline, atomically: true, encoding: .utf8)
        let result = try await runNewswire(["crawl", pipeline.path])
        #expect(result.status == 64)
        #expect(result.stderr.contains("needs 'state:'"), "\(result.stderr)")
    }
}
