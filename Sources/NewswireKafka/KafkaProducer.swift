internal import CRdKafka
public import Logging
import NewswireCore
import Synchronization

/// Settings of a ``KafkaProducer`` beyond the endpoint.
public struct KafkaProducerOptions: Sendable, Hashable {
    /// `compression.codec`: `lz4`, `zstd`, `gzip`, `snappy` or `none`.
    public var compression: String = "lz4"
    /// `queue.buffering.max.messages`: messages librdkafka holds before ``KafkaProducer/send(topic:partition:key:value:headers:)``
    /// waits. This bounds the memory a slow or absent broker can make us use.
    public var queueMaxMessages: Int = 100_000
    /// `queue.buffering.max.kbytes`: the same bound in kilobytes.
    public var queueMaxKilobytes: Int = 65_536
    /// `linger.ms`: how long librdkafka waits to fill a batch.
    public var lingerMilliseconds: Int = 5
    /// `transaction.timeout.ms`: the broker aborts a transaction left open longer than this
    /// (a relay killed mid-transaction).
    public var transactionTimeoutMilliseconds: Int = 60_000
    /// How long initialising, committing or aborting a transaction and flushing may take.
    public var operationTimeoutMilliseconds: Int = 30_000
    /// Further librdkafka properties (CONFIGURATION.md), applied last.
    public var settings: [String: String] = [:]

    public init() {}
}

/// A Kafka producer: acks from all in-sync replicas, idempotence, compression, an optional
/// transactional id, and a bounded local queue.
///
/// Threading: one thread owns a producer and makes every call; delivery reports run on that
/// thread inside ``flush()`` and the waits of ``send(topic:partition:key:value:headers:)``.
/// A full local queue (a slow or absent broker) makes `send` wait, polling, instead of
/// dropping: that is the backpressure. A message the brokers did not acknowledge makes the
/// next ``flush()`` throw, so the caller aborts and retries its transaction.
public final class KafkaProducer {
    /// The bootstrap brokers.
    public let endpoint: KafkaEndpoint
    private let handle: OpaquePointer
    private let reports: DeliveryReports
    private let options: KafkaProducerOptions
    private let logger: Logger
    private var topics: [String: OpaquePointer] = [:]
    private var partitionCounts: [String: Int] = [:]

    /// Creates a producer for `endpoint`'s brokers.
    /// - Parameters:
    ///   - transactionalID: Enables transactions (call ``initTransactions()`` first). A new
    ///     producer with the same id fences the older one.
    /// - Throws: ``KafkaError`` `configuration` when librdkafka refuses a setting.
    public init(
        endpoint: KafkaEndpoint,
        transactionalID: String? = nil,
        options: KafkaProducerOptions = KafkaProducerOptions(),
        logger: Logger
    ) throws {
        self.endpoint = endpoint
        self.options = options
        self.logger = logger
        // CONFIGURATION.md: acks=all waits for every in-sync replica; enable.idempotence keeps
        // order and writes each message once across retries; the queue bounds are what make
        // rd_kafka_producev return QUEUE_FULL (our backpressure) instead of growing.
        var settings: [(String, String)] = [
            ("bootstrap.servers", endpoint.bootstrapServers),
            ("acks", "all"),
            ("enable.idempotence", "true"),
            ("compression.codec", options.compression),
            ("queue.buffering.max.messages", String(options.queueMaxMessages)),
            ("queue.buffering.max.kbytes", String(options.queueMaxKilobytes)),
            ("linger.ms", String(options.lingerMilliseconds)),
            ("batch.size", "1000000"),
        ]
        if let transactionalID {
            settings.append(("transactional.id", transactionalID))
            settings.append(("transaction.timeout.ms", String(options.transactionTimeoutMilliseconds)))
        }
        settings += options.settings.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let configuration = try KafkaClient.configuration(settings)
        let reports = DeliveryReports(logger: logger)
        self.reports = reports
        rd_kafka_conf_set_dr_msg_cb(configuration, deliveryReport)
        rd_kafka_conf_set_opaque(configuration, Unmanaged.passUnretained(reports).toOpaque())
        rd_kafka_conf_set_log_cb(configuration, logLine)
        self.handle = try KafkaClient.handle(RD_KAFKA_PRODUCER, configuration)
    }

    deinit {
        for topic in self.topics.values { rd_kafka_topic_destroy(topic) }
        // rd_kafka_destroy(3) waits for outstanding requests; purge first so a dead broker
        // cannot hold the caller (the records are still in the outbox or the caller's batch).
        rd_kafka_purge(self.handle, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
        rd_kafka_poll(self.handle, 0)
        rd_kafka_destroy(self.handle)
    }

    /// Messages acknowledged by the brokers so far.
    public var delivered: Int { self.reports.state.withLock { $0.delivered } }

    /// Registers the transactional id with the cluster, fencing any older producer with the
    /// same id and aborting its open transaction.
    /// - Throws: ``KafkaError`` (`fenced`, `fatal` or `transaction`).
    public func initTransactions() throws {
        if let error = rd_kafka_init_transactions(self.handle, Int32(self.options.operationTimeoutMilliseconds)) {
            throw KafkaError(consuming: error, "initialising transactions")
        }
    }

    /// Starts a transaction.
    public func beginTransaction() throws {
        if let error = rd_kafka_begin_transaction(self.handle) {
            throw KafkaError(consuming: error, "beginning a transaction")
        }
    }

    /// Commits the open transaction (flushing it first).
    /// - Throws: ``KafkaError``; after one with code `transaction` call ``abortTransaction()``.
    public func commitTransaction() throws {
        try self.throwDeliveryFailure()
        if let error = rd_kafka_commit_transaction(self.handle, Int32(self.options.operationTimeoutMilliseconds)) {
            throw KafkaError(consuming: error, "committing a transaction")
        }
        try self.throwDeliveryFailure()
    }

    /// Aborts the open transaction; its messages are dropped from the local queue and hidden
    /// from read_committed consumers.
    public func abortTransaction() throws {
        defer { self.reports.state.withLock { $0.failure = nil } }
        if let error = rd_kafka_abort_transaction(self.handle, Int32(self.options.operationTimeoutMilliseconds)) {
            throw KafkaError(consuming: error, "aborting a transaction")
        }
    }

    /// The partition the Java client's default partitioner (murmur2) gives `key`, so records
    /// land where any other Kafka client would put the same key.
    /// - Throws: ``KafkaError`` `metadata` when the topic's partitions cannot be read.
    public func partition(forKey key: String, topic: String) throws -> Int32 {
        let count = try self.partitionCount(topic: topic)
        let topicHandle = try self.topicHandle(topic)
        var key = key
        return key.withUTF8 { bytes in
            rd_kafka_msg_partitioner_murmur2(topicHandle, bytes.baseAddress, bytes.count, Int32(count), nil, nil)
        }
    }

    /// The number of partitions of `topic` (cached; the topic is created when the cluster
    /// creates topics on first use).
    /// - Throws: ``KafkaError`` `metadata` when the topic does not exist or cannot be read.
    public func partitionCount(topic: String) throws -> Int {
        if let count = self.partitionCounts[topic] { return count }
        var attempts = 0
        while true {
            if let count = try KafkaClient.partitionCount(self.handle, topic: topic, timeoutMilliseconds: 5_000) {
                self.partitionCounts[topic] = count
                return count
            }
            attempts += 1
            guard attempts < 20 else {
                throw KafkaError(code: .metadata, message: "topic '\(topic)' does not exist; create it first")
            }
            rd_kafka_poll(self.handle, 100)
        }
    }

    /// Queues one message for `partition` of `topic` (copying key and value).
    ///
    /// When the local queue is full this waits, serving delivery reports, until there is
    /// room: a slow or absent broker slows the caller down and nothing is dropped.
    /// - Throws: ``KafkaError`` `produce` for any other refusal (a message too large, a
    ///   transaction in an error state).
    public func send(topic: String, partition: Int32, key: [UInt8], value: [UInt8], headers: [OutboxHeader]) throws {
        let topicHandle = try self.topicHandle(topic)
        var list: OpaquePointer?
        if !headers.isEmpty {
            list = rd_kafka_headers_new(headers.count)
            for header in headers {
                var value = header.value
                _ = value.withUTF8 { bytes in
                    rd_kafka_header_add(list, header.name, -1, bytes.baseAddress, bytes.count)
                }
            }
        }
        var waited = false
        while true {
            let result = key.withUnsafeBytes { keyBytes in
                value.withUnsafeBytes { valueBytes in
                    crdkafka_produce(
                        self.handle,
                        topicHandle,
                        partition,
                        keyBytes.baseAddress,
                        keyBytes.count,
                        valueBytes.baseAddress,
                        valueBytes.count,
                        list
                    )
                }
            }
            if result == RD_KAFKA_RESP_ERR_NO_ERROR { return }
            if result == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                if !waited {
                    waited = true
                    self.logger.debug(
                        "kafka queue full, waiting",
                        metadata: ["queued": "\(rd_kafka_outq_len(self.handle))", "topic": "\(topic)"]
                    )
                }
                rd_kafka_poll(self.handle, 10)
                continue
            }
            if let list { rd_kafka_headers_destroy(list) }
            throw KafkaError(code: .produce, "producing to '\(topic)'", result)
        }
    }

    /// Waits until every queued message is acknowledged or has failed.
    /// - Throws: ``KafkaError`` `delivery` with the first failure since the last check, or
    ///   `transaction` when the brokers did not answer within the operation timeout.
    public func flush() throws {
        let result = rd_kafka_flush(self.handle, Int32(self.options.operationTimeoutMilliseconds))
        try self.throwDeliveryFailure()
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(
                code: .transaction,
                "\(rd_kafka_outq_len(self.handle)) messages still unacknowledged after flushing",
                result
            )
        }
    }

    /// Serves delivery reports for up to `milliseconds`.
    public func poll(milliseconds: Int32 = 0) {
        rd_kafka_poll(self.handle, milliseconds)
    }

    private func throwDeliveryFailure() throws {
        if let failure = self.reports.state.withLock({ state in
            defer { state.failure = nil }
            return state.failure
        }) {
            throw failure
        }
    }

    private func topicHandle(_ name: String) throws -> OpaquePointer {
        if let topic = self.topics[name] { return topic }
        guard let topic = rd_kafka_topic_new(self.handle, name, nil) else {
            throw KafkaError(code: .produce, "opening topic '\(name)'", rd_kafka_last_error())
        }
        self.topics[name] = topic
        return topic
    }
}

@available(*, unavailable)
extension KafkaProducer: Sendable {}

/// What the delivery-report callback records: counted on the producer's thread (inside
/// poll and flush) and read by it, behind a mutex all the same.
final class DeliveryReports: Sendable {
    struct State {
        var delivered = 0
        var failed = 0
        var failure: KafkaError?
    }
    let state = Mutex(State())
    /// Where librdkafka's own log lines go (the `logLine` callback).
    let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }
}

/// rd_kafka_conf_set_dr_msg_cb(3): called once per message from rd_kafka_poll/flush, with
/// `err` set when the brokers did not acknowledge it.
private let deliveryReport:
    @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?)
        -> Void = { _, message, opaque in
            guard let message, let opaque else { return }
            let reports = Unmanaged<DeliveryReports>.fromOpaque(opaque).takeUnretainedValue()
            let error = message.pointee.err
            reports.state.withLock { state in
                if error == RD_KAFKA_RESP_ERR_NO_ERROR {
                    state.delivered += 1
                } else {
                    state.failed += 1
                    if state.failure == nil {
                        let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "?"
                        state.failure = KafkaError(
                            code: .delivery,
                            "delivering to \(topic) partition \(message.pointee.partition)",
                            error
                        )
                    }
                }
            }
        }

/// rd_kafka_conf_set_log_cb(3): librdkafka's log lines (syslog levels), from its own threads,
/// go to the producer's logger instead of stderr. A library logs at info or below; the
/// caller's log level decides what shows.
let logLine: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
    handle,
    level,
    facility,
    text in
    guard let handle, let opaque = rd_kafka_opaque(handle), let text else { return }
    let reports = Unmanaged<DeliveryReports>.fromOpaque(opaque).takeUnretainedValue()
    let name = String(cString: rd_kafka_name(handle))
    reports.logger.log(
        level: level <= 4 ? .info : level <= 6 ? .debug : .trace,
        "librdkafka",
        metadata: [
            "kafka.client": "\(name)",
            "kafka.facility": "\(facility.map { String(cString: $0) } ?? "")",
            "kafka.message": "\(String(cString: text))",
        ]
    )
}
