internal import CRdKafka
import Logging
import NewswireCore

/// One message read from a topic.
package struct KafkaReceivedMessage: Sendable, Hashable {
    package var topic: String
    package var partition: Int32
    package var offset: Int64
    package var key: [UInt8]?
    package var value: [UInt8]
    package var headers: [OutboxHeader]

    /// The value of the first header called `name`.
    package func header(_ name: String) -> String? {
        self.headers.first { $0.name == name }?.value
    }
}

/// What one poll of a ``KafkaConsumer`` gives.
package enum KafkaConsumerEvent: Sendable, Hashable {
    case message(KafkaReceivedMessage)
    /// The consumer reached the end of a partition (for read_committed, the last stable
    /// offset: nothing after it is committed yet).
    case endOfPartition(topic: String, partition: Int32, offset: Int64)
}

/// A consumer with manually assigned partitions and no consumer group: it reads where it is
/// told and commits nothing. The relay reads the tails of its topics with it; the tests and
/// the test-support executable read whole topics.
///
/// Threading: one thread owns it and makes every call.
package final class KafkaConsumer {
    private let handle: OpaquePointer
    private let readCommitted: Bool
    private let context: DeliveryReports

    /// - Parameters:
    ///   - readCommitted: `isolation.level=read_committed`: messages of aborted or open
    ///     transactions are not returned.
    package init(
        bootstrapServers: String,
        readCommitted: Bool,
        settings: [String: String] = [:],
        logger: Logger = Logger(label: "newswire.kafka")
    ) throws {
        self.readCommitted = readCommitted
        var all: [(String, String)] = [
            ("bootstrap.servers", bootstrapServers),
            ("group.id", "newswire-reader"),
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
            ("enable.partition.eof", "true"),
            ("isolation.level", readCommitted ? "read_committed" : "read_uncommitted"),
        ]
        all += settings.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let configuration = try KafkaClient.configuration(all)
        let context = DeliveryReports(logger: logger)
        self.context = context
        rd_kafka_conf_set_opaque(configuration, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_log_cb(configuration, logLine)
        self.handle = try KafkaClient.handle(RD_KAFKA_CONSUMER, configuration)
    }

    deinit {
        rd_kafka_consumer_close(self.handle)
        rd_kafka_destroy(self.handle)
    }

    /// Partitions of `topic`, or nil when the cluster does not know it.
    package func partitionCount(topic: String) throws -> Int? {
        try KafkaClient.partitionCount(self.handle, topic: topic, timeoutMilliseconds: 10_000)
    }

    /// The low and high watermarks of a partition (the high one counts every message written,
    /// committed or not).
    package func watermarks(topic: String, partition: Int32) throws -> (low: Int64, high: Int64) {
        var low: Int64 = 0
        var high: Int64 = 0
        let result = rd_kafka_query_watermark_offsets(self.handle, topic, partition, &low, &high, 10_000)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: .consume, "reading the offsets of \(topic) partition \(partition)", result)
        }
        return (low, high)
    }

    /// Reads `partitions` of `topic` from `offset` (nil: from the beginning), replacing any
    /// earlier assignment.
    package func assign(topic: String, partitions: [Int32], offset: Int64? = nil) throws {
        let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in partitions {
            let entry = rd_kafka_topic_partition_list_add(list, topic, partition)
            entry?.pointee.offset = offset ?? crdkafka_offset_beginning()
        }
        let result = rd_kafka_assign(self.handle, list)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: .consume, "assigning partitions of \(topic)", result)
        }
    }

    /// The next message or end-of-partition event, or nil after `milliseconds` without one.
    /// - Throws: ``KafkaError`` `consume` for an error the brokers report.
    package func poll(milliseconds: Int32) throws -> KafkaConsumerEvent? {
        guard let message = rd_kafka_consumer_poll(self.handle, milliseconds) else { return nil }
        defer { rd_kafka_message_destroy(message) }
        let item = message.pointee
        let topic = item.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        if item.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
            return .endOfPartition(topic: topic, partition: item.partition, offset: item.offset)
        }
        guard item.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: .consume, "reading \(topic) partition \(item.partition)", item.err)
        }
        var key: [UInt8]?
        if let pointer = item.key {
            key = Array(UnsafeRawBufferPointer(start: pointer, count: item.key_len))
        }
        let value = item.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: item.len)) } ?? []
        var headers: [OutboxHeader] = []
        var list: OpaquePointer?
        if rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list {
            var index = 0
            var name: UnsafePointer<CChar>?
            var bytes: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(list, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let text = bytes.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: size), as: UTF8.self) }
                headers.append(OutboxHeader(name: name.map { String(cString: $0) } ?? "", value: text ?? ""))
                index += 1
            }
        }
        return .message(
            KafkaReceivedMessage(
                topic: topic,
                partition: item.partition,
                offset: item.offset,
                key: key,
                value: value,
                headers: headers
            )
        )
    }

    /// The last message of a partition that `accept` takes, reading backwards from the end
    /// in growing windows; nil when the partition has none.
    ///
    /// For a read_committed consumer this is the last committed one: messages of aborted
    /// transactions and transaction markers are skipped, which is why the window grows until
    /// it finds one.
    /// - Throws: ``KafkaError`` `consume` when the partition cannot be read within `timeout`.
    package func lastMessage(
        topic: String,
        partition: Int32,
        timeoutMilliseconds: Int = 30_000,
        where accept: (KafkaReceivedMessage) -> Bool = { _ in true }
    ) throws -> KafkaReceivedMessage? {
        let (low, high) = try self.watermarks(topic: topic, partition: partition)
        guard high > low else { return nil }
        var window: Int64 = 16
        while true {
            let start = max(low, high - window)
            try self.assign(topic: topic, partitions: [partition], offset: start)
            var last: KafkaReceivedMessage?
            var quiet = 0
            reading: while true {
                switch try self.poll(milliseconds: 100) {
                case .message(let message):
                    quiet = 0
                    if accept(message) { last = message }
                case .endOfPartition(_, _, let offset):
                    // read_committed stops at the last stable offset; a message at or past it
                    // may still arrive only if a transaction is open, which we do not wait for.
                    if offset >= start { break reading }
                case nil:
                    quiet += 100
                    if quiet >= timeoutMilliseconds {
                        throw KafkaError(
                            code: .consume,
                            message: "no answer reading \(topic) partition \(partition) from offset \(start)"
                        )
                    }
                }
            }
            if last != nil || start == low { return last }
            window *= 8
        }
    }
}

@available(*, unavailable)
extension KafkaConsumer: Sendable {}
