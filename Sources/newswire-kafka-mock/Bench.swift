import ArgumentParser
import Foundation
import Logging
import NewswireCore
import NewswireKafka

/// scripts/bench-kafka: records per second through the bare producer (in transactions) and
/// through the outbox relay over an in-memory outbox.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure records/s published in transactions: bare producer, then the outbox relay."
    )

    @Option(help: "Bootstrap servers, host:port[,host:port].")
    var bootstrap: String

    @Option(help: "Topic prefix; the runs write to PREFIX-producer and PREFIX-relay.")
    var topic = "bench"

    @Option(help: "Records per run.")
    var records = 200_000

    @Option(help: "Bytes per record value (an NDJSON line).")
    var valueBytes = 1_000

    @Option(help: "Records per transaction.")
    var batch = 5_000

    @Option(help: "compression.codec")
    var compression = "lz4"

    func run() throws {
        var logger = Logger(label: "newswire.kafka-mock.bench")
        logger.logLevel = .notice
        let entries = self.makeEntries()
        let bytes = entries.reduce(0) { $0 + $1.record.value.count }
        print(
            "records \(self.records), \(bytes / self.records) bytes each, \(self.batch) per transaction, \(self.compression)"
        )

        var producerOptions = KafkaProducerOptions()
        producerOptions.compression = self.compression

        // Bare producer: begin, send a batch, commit.
        let endpoint = KafkaEndpoint(
            brokers: self.bootstrap.split(separator: ",").map(String.init),
            topic: "\(self.topic)-producer"
        )
        let producer = try KafkaProducer(
            endpoint: endpoint,
            transactionalID: "bench-producer-\(ProcessInfo.processInfo.processIdentifier)",
            options: producerOptions,
            logger: logger
        )
        try producer.initTransactions()
        let partitions = try producer.partitionCount(topic: endpoint.topic)
        _ = partitions
        let clock = ContinuousClock()
        let start = clock.now
        var index = 0
        while index < entries.count {
            try producer.beginTransaction()
            for entry in entries[index..<min(entries.count, index + self.batch)] {
                let partition = try producer.partition(forKey: entry.record.key, topic: endpoint.topic)
                try producer.send(
                    topic: endpoint.topic,
                    partition: partition,
                    key: Array(entry.record.key.utf8),
                    value: entry.record.value,
                    headers: entry.record.headers
                )
            }
            try producer.commitTransaction()
            index += self.batch
        }
        self.report("producer", count: entries.count, bytes: bytes, elapsed: clock.now - start)

        // The relay over an in-memory outbox (positions 1…N), to its committed end.
        let store = try OutboxFile(entries: entries, marker: nil)
        var options = OutboxRelay.Options()
        options.batchSize = self.batch
        options.producer = producerOptions
        let relay = try OutboxRelay(
            store: store,
            url: "kafka://\(self.bootstrap)/\(self.topic)-relay",
            transactionalID: "bench-relay-\(ProcessInfo.processInfo.processIdentifier)",
            options: options,
            logger: logger
        )
        let relayStart = clock.now
        relay.start()
        while relay.statistics.publishedPosition != Int64(entries.count) {
            if let failure = relay.failure { throw failure }
            Thread.sleep(forTimeInterval: 0.005)
        }
        let elapsed = clock.now - relayStart
        relay.stop()
        self.report("relay", count: relay.statistics.publishedRecords, bytes: bytes, elapsed: elapsed)
    }

    private func makeEntries() -> [OutboxEntry] {
        let words = ["harbour", "council", "river", "festival", "station", "library", "market", "bridge", "orchard"]
        return (1...self.records).map { index in
            let key = String(format: "%016llx", UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
            var text = ""
            var word = UInt(index)
            while text.utf8.count < self.valueBytes - 120 {
                text += words[Int(word % UInt(words.count))] + " "
                word = word &* 31 &+ 7
            }
            let value =
                #"{"id":"\#(key)","feed":"https://news.example.invalid/feed.xml","title":"Story \#(index)","text":"\#(text)"}"#
            let record = OutboxRecord(
                key: key,
                value: Array(value.utf8),
                headers: [
                    OutboxHeader(name: "feed", value: "https://news.example.invalid/feed.xml"),
                    OutboxHeader(name: "revision", value: "1"),
                ],
                firstSeen: true
            )
            return OutboxEntry(position: Int64(index), record: record)
        }
    }

    private func report(_ name: String, count: Int, bytes: Int, elapsed: Duration) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let line =
            "\(name): "
            + String(
                format: "%d records in %.2f s = %.0f records/s (%.1f MB/s of values)",
                count,
                seconds,
                Double(count) / seconds,
                Double(bytes) / seconds / 1e6
            )
        print(line)
    }
}
