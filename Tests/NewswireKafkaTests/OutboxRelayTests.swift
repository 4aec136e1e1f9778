import Foundation
import Logging
import NewswireCore
import Testing

@testable import NewswireKafka

@Suite struct OutboxRelayTests {
    @Test func everyRecordIsPublishedOnceWithItsHeadersAndTheOutboxEmptied() throws {
        let cluster = try KafkaMockCluster(brokers: 3)
        try cluster.createTopic("wire", partitions: 4)
        try cluster.createTopic("wire.relay-position", partitions: 1)
        let store = InMemoryOutboxStore()
        let records = articleRecords(2_500)
        store.add(records)
        var options = OutboxRelay.Options()
        options.batchSize = 300
        let relay = try OutboxRelay(
            store: store,
            url: "kafka://\(cluster.bootstrapServers)/wire",
            transactionalID: "relay-test",
            options: options,
            logger: quietLogger
        )
        #expect(relay.positionTopic == "wire.relay-position")
        relay.start()
        try waitUntil { try store.outboxStatus().count == 0 }
        // Records added while it runs go out too.
        store.add(articleRecords(200, from: 2_500))
        try waitUntil { try store.outboxStatus().count == 0 && relay.lag() == 0 }
        relay.stop()

        let statistics = relay.statistics
        #expect(statistics.publishedRecords == 2_700)
        #expect(statistics.publishedPosition == 2_700)
        #expect(statistics.committedTransactions >= 10)
        let messages = try readAll(cluster.bootstrapServers, topic: "wire", readCommitted: true)
        #expect(messages.count == 2_700)
        let byKey = Dictionary(grouping: messages) { String(decoding: $0.key ?? [], as: UTF8.self) }
        #expect(byKey.count == 2_700)
        for record in records.prefix(50) {
            let message = try #require(byKey[record.key]?.first)
            #expect(message.value == record.value)
            #expect(message.header("feed") == "https://ferries.example.invalid/rss")
            #expect(message.header("revision") == "1")
        }
        let positions = try readAll(cluster.bootstrapServers, topic: "wire.relay-position", readCommitted: true)
        #expect(positions.last.map { String(decoding: $0.value, as: UTF8.self) } == "2700")
    }

    @Test func aRestartedRelayResumesAfterWhatKafkaCommitted() throws {
        let cluster = try KafkaMockCluster(brokers: 3)
        try cluster.createTopic("resume", partitions: 3)
        try cluster.createTopic("resume.relay-position", partitions: 1)
        let url = "kafka://\(cluster.bootstrapServers)/resume"
        let first = InMemoryOutboxStore()
        first.add(articleRecords(1_000))
        let relay = try OutboxRelay(store: first, url: url, transactionalID: "resumer", logger: quietLogger)
        relay.start()
        try waitUntil { try first.outboxStatus().count == 0 }
        relay.stop()

        // A store that never saw the deletes (as if the relay died after the commit and
        // before deleting): the restarted relay reads position 1000 from Kafka, deletes
        // through it and publishes only what follows.
        let second = InMemoryOutboxStore()
        second.add(articleRecords(1_500))
        let again = try OutboxRelay(store: second, url: url, transactionalID: "resumer", logger: quietLogger)
        again.start()
        try waitUntil { try second.outboxStatus().count == 0 }
        again.stop()
        #expect(again.statistics.publishedRecords == 500)

        let keys = try readAll(cluster.bootstrapServers, topic: "resume", readCommitted: true).map {
            String(decoding: $0.key ?? [], as: UTF8.self)
        }
        #expect(keys.count == 1_500)
        #expect(Set(keys) == Set((0..<1_500).map { "a\($0)" }))
    }

    @Test func aBrokerDownSlowsTheRelayAndLosesNothing() throws {
        let cluster = try KafkaMockCluster(brokers: 1)
        try cluster.createTopic("outage", partitions: 2, replicationFactor: 1)
        try cluster.createTopic("outage.relay-position", partitions: 1, replicationFactor: 1)
        let store = InMemoryOutboxStore()
        store.add(articleRecords(300))
        var options = OutboxRelay.Options()
        options.batchSize = 100
        let relay = try OutboxRelay(
            store: store,
            url: "kafka://\(cluster.bootstrapServers)/outage",
            transactionalID: "outage",
            options: options,
            logger: quietLogger
        )
        relay.start()
        try waitUntil { try store.outboxStatus().count == 0 }
        cluster.setBroker(1, up: false)
        store.add(articleRecords(700, from: 300))
        Thread.sleep(forTimeInterval: 1.5)
        #expect(try relay.lag() > 0)
        cluster.setBroker(1, up: true)
        try waitUntil(seconds: 90) { try store.outboxStatus().count == 0 && relay.lag() == 0 }
        relay.stop()
        let keys = try readAll(cluster.bootstrapServers, topic: "outage", readCommitted: true).map {
            String(decoding: $0.key ?? [], as: UTF8.self)
        }
        #expect(keys.count == 1_000)
        #expect(Set(keys).count == 1_000)
    }

    @Test func theRelayAcrossKillsPublishesEveryRecordExactlyOnce() throws {
        let cluster = try KafkaMockCluster(brokers: 3)
        try cluster.createTopic("chaos", partitions: 4)
        try cluster.createTopic("chaos.relay-position", partitions: 1)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "newswire-kafka-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outbox = folder.appendingPathComponent("outbox")
        let count = 30_000
        var lines = ""
        for (index, record) in articleRecords(count).enumerated() {
            lines += "\(index + 1)\t\(record.key)\thttps://ferries.example.invalid/rss\t"
            lines += String(decoding: record.value, as: UTF8.self) + "\n"
        }
        try lines.write(to: outbox, atomically: true, encoding: .utf8)
        let marker = outbox.appendingPathExtension("deleted")
        func deleted() -> Int {
            let text = try? String(contentsOf: marker, encoding: .utf8)
            return text.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        }
        let arguments = [
            "relay", "--url", "kafka://\(cluster.bootstrapServers)/chaos", "--outbox", outbox.path,
            "--transactional-id", "chaos-relay", "--batch", "200",
        ]

        var kills = 0
        var generator = SystemRandomNumberGenerator()
        while kills < 5 {
            let before = deleted()
            guard before < count else { break }
            let process = try launchMockTool(arguments)
            // Kill it once it has made progress, at a random point of a later transaction.
            try waitUntil(seconds: 60) { deleted() > before || deleted() >= count }
            Thread.sleep(forTimeInterval: Double.random(in: 0.005...0.15, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            kills += 1
        }
        #expect(kills == 5, "the outbox must be large enough to kill the relay five times mid-stream")
        let last = try launchMockTool(arguments + ["--exit-when-done"])
        last.waitUntilExit()
        #expect(last.terminationStatus == 0)
        #expect(deleted() == count)

        let keys = try readAll(cluster.bootstrapServers, topic: "chaos", readCommitted: true).map {
            String(decoding: $0.key ?? [], as: UTF8.self)
        }
        var seen: [String: Int] = [:]
        for key in keys { seen[key, default: 0] += 1 }
        let lost = count - seen.count
        let duplicated = seen.values.count { $0 > 1 }
        #expect(lost == 0)
        #expect(duplicated == 0)
    }

    @Test func aFailedDeliveryAbortsTheBatchWhichIsPublishedAgainOnce() throws {
        let cluster = try KafkaMockCluster(brokers: 3)
        try cluster.createTopic("refused", partitions: 2)
        try cluster.createTopic("refused.relay-position", partitions: 1)
        let store = InMemoryOutboxStore()
        store.add(articleRecords(400))
        var options = OutboxRelay.Options()
        options.batchSize = 100
        let relay = try OutboxRelay(
            store: store,
            url: "kafka://\(cluster.bootstrapServers)/refused",
            transactionalID: "refused",
            options: options,
            logger: quietLogger
        )
        // Produce (API 0) answers MESSAGE_TOO_LARGE (10), which no retry can fix.
        cluster.failNextRequests(apiKey: 0, count: 1, errorCode: 10)
        relay.start()
        try waitUntil { try store.outboxStatus().count == 0 && relay.lag() == 0 }
        relay.stop()
        let statistics = relay.statistics
        #expect(statistics.abortedTransactions >= 1)
        #expect(statistics.lastError?.contains("delivering to refused") == true)
        let keys = try readAll(cluster.bootstrapServers, topic: "refused", readCommitted: true).map {
            String(decoding: $0.key ?? [], as: UTF8.self)
        }
        #expect(keys.count == 400)
        #expect(Set(keys).count == 400)
    }

    @Test func aFencingAnswerStopsTheRelay() throws {
        let cluster = try KafkaMockCluster(brokers: 1)
        try cluster.createTopic("fenced", partitions: 1, replicationFactor: 1)
        try cluster.createTopic("fenced.relay-position", partitions: 1, replicationFactor: 1)
        let store = InMemoryOutboxStore()
        store.add(articleRecords(10))
        let relay = try OutboxRelay(
            store: store,
            url: "kafka://\(cluster.bootstrapServers)/fenced",
            transactionalID: "fenced",
            logger: quietLogger
        )
        // What a broker answers a relay whose transactional id a newer relay registered
        // (EndTxn, API 26: PRODUCER_FENCED, 90). The mock cluster does not fence by itself.
        cluster.failNextRequests(apiKey: 26, count: 5, errorCode: 90)
        #expect {
            try relay.run()
        } throws: { error in
            (error as? KafkaError)?.code == .fenced
        }
        #expect(relay.failure?.code == .fenced)
        #expect(relay.statistics.committedTransactions == 0)
        #expect(try store.outboxStatus().count == 10)
    }

    @Test func badSettingsAreRefusedBeforeConnecting() {
        let store = InMemoryOutboxStore()
        #expect(throws: KafkaError.self) {
            _ = try OutboxRelay(store: store, url: "kafka://broker:9092", transactionalID: "x", logger: quietLogger)
        }
        #expect(throws: KafkaError.self) {
            _ = try OutboxRelay(store: store, url: "kafka://broker:9092/t", transactionalID: "", logger: quietLogger)
        }
        var options = OutboxRelay.Options()
        options.positionTopic = "no/slashes"
        #expect(throws: KafkaError.self) {
            _ = try OutboxRelay(
                store: store,
                url: "kafka://broker:9092/t",
                transactionalID: "x",
                options: options,
                logger: quietLogger
            )
        }
    }
}

/// Waits until `condition` holds, failing after `seconds`.
func waitUntil(seconds: Double = 60, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while try !condition() {
        guard Date() < deadline else {
            Issue.record("condition not met within \(seconds) s")
            throw CancellationError()
        }
        Thread.sleep(forTimeInterval: 0.02)
    }
}

/// Starts `newswire-kafka-mock` (built beside the test bundle) with `arguments`.
func launchMockTool(_ arguments: [String]) throws -> Process {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let candidates = [
        Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("newswire-kafka-mock"),
        Bundle.main.bundleURL.appendingPathComponent("newswire-kafka-mock"),
        root.appendingPathComponent(".build/debug/newswire-kafka-mock"),
    ]
    let tool = try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) })
    let process = Process()
    process.executableURL = tool
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}
