import Foundation
import Logging
import NewswireCore
import Testing

@testable import NewswireKafka

@Suite struct KafkaProducerTests {
    @Test func producedMessagesAreReadBackWithKeysAndHeaders() throws {
        let cluster = try KafkaMockCluster(brokers: 3)
        try cluster.createTopic("articles", partitions: 4)
        let endpoint = KafkaEndpoint(
            brokers: cluster.bootstrapServers.split(separator: ",").map(String.init),
            topic: "articles"
        )
        let producer = try KafkaProducer(endpoint: endpoint, logger: quietLogger)
        var sent: [String: String] = [:]
        for index in 0..<500 {
            let key = "article-\(index)"
            let value = #"{"id":"\#(key)","title":"Harbour report \#(index)"}"#
            sent[key] = value
            let partition = try producer.partition(forKey: key, topic: "articles")
            try producer.send(
                topic: "articles",
                partition: partition,
                key: Array(key.utf8),
                value: Array(value.utf8),
                headers: [OutboxHeader(name: "feed", value: "https://example.invalid/feed-\(index % 7)")]
            )
        }
        try producer.flush()
        #expect(producer.delivered == 500)

        let messages = try readAll(cluster.bootstrapServers, topic: "articles", readCommitted: false)
        #expect(messages.count == 500)
        for message in messages {
            let key = String(decoding: message.key ?? [], as: UTF8.self)
            #expect(sent[key] == String(decoding: message.value, as: UTF8.self))
            #expect(message.header("feed")?.hasPrefix("https://example.invalid/feed-") == true)
            // The same key always lands in the partition the murmur2 partitioner gives it.
            #expect(try producer.partition(forKey: key, topic: "articles") == message.partition)
        }
    }

    @Test func aFullQueueWaitsForTheBrokerInsteadOfDropping() throws {
        let cluster = try KafkaMockCluster(brokers: 1)
        try cluster.createTopic("slow", partitions: 1)
        let endpoint = KafkaEndpoint(brokers: [cluster.bootstrapServers], topic: "slow")
        var options = KafkaProducerOptions()
        options.queueMaxMessages = 50
        let producer = try KafkaProducer(endpoint: endpoint, options: options, logger: quietLogger)
        _ = try producer.partitionCount(topic: "slow")
        cluster.setBroker(1, up: false)
        let clock = ContinuousClock()
        let start = clock.now
        let restore = Thread {
            Thread.sleep(forTimeInterval: 1.0)
            cluster.setBroker(1, up: true)
        }
        restore.start()
        for index in 0..<400 {
            try producer.send(
                topic: "slow",
                partition: 0,
                key: Array("k\(index)".utf8),
                value: Array("v\(index)".utf8),
                headers: []
            )
        }
        try producer.flush()
        // 400 messages through a 50-message queue cannot all be queued while the broker is
        // down: the producer waited for it to come back, and lost nothing.
        #expect(clock.now - start >= .milliseconds(900))
        #expect(producer.delivered == 400)
        let values = try readAll(cluster.bootstrapServers, topic: "slow", readCommitted: false).map {
            String(decoding: $0.value, as: UTF8.self)
        }
        #expect(values == (0..<400).map { "v\($0)" })
    }
}

let quietLogger: Logger = {
    var logger = Logger(label: "newswire.kafka.test")
    logger.logLevel = .critical
    return logger
}()

/// Every message of `topic`, read until each partition reports its end.
func readAll(_ bootstrap: String, topic: String, readCommitted: Bool) throws -> [KafkaReceivedMessage] {
    let consumer = try KafkaConsumer(bootstrapServers: bootstrap, readCommitted: readCommitted)
    let partitions = try #require(try consumer.partitionCount(topic: topic))
    try consumer.assign(topic: topic, partitions: (0..<partitions).map { Int32($0) })
    var ended = Set<Int32>()
    var messages: [KafkaReceivedMessage] = []
    var idle = 0
    while ended.count < partitions, idle < 20_000 {
        switch try consumer.poll(milliseconds: 100) {
        case .message(let message):
            messages.append(message)
            idle = 0
        case .endOfPartition(_, let partition, _):
            ended.insert(partition)
        case nil:
            idle += 100
        }
    }
    return messages
}
