import Dispatch
import Foundation
public import Logging
public import NewswireCore
import Synchronization

/// Publishes a store's outbox to a Kafka topic exactly once for read_committed consumers.
///
/// Each batch of outbox entries goes out in one Kafka transaction that also writes the
/// batch's last position to the position topic (`<topic>.relay-position` unless set); only
/// after the commit are the entries deleted from the outbox. On start the relay registers its
/// transactional id (which fences an older relay with the same id and aborts what it left
/// open), reads the last committed position, deletes the outbox through it and resumes right
/// after it. So a relay killed at any point loses nothing and publishes nothing twice.
///
/// Every message carries an `outbox-position` header. On resume the relay also reads the
/// last committed message of each partition of the topic and does not publish again an entry
/// the partition already holds. Against a real broker this finds nothing new (a batch and its
/// position commit together); it matters for a broker that writes no transaction markers,
/// such as librdkafka's mock cluster, where the messages of a killed transaction stay
/// visible. The topic should be written by this relay only.
///
/// Threading: ``run()`` does all the work on the calling thread until ``stop()``; ``start()``
/// runs it on a thread of its own. The Kafka handles never leave that thread; ``stop()``,
/// ``statistics`` and ``lag()`` may be called from any thread.
public final class OutboxRelay: Sendable {
    /// Settings of a relay.
    public struct Options: Sendable, Hashable {
        /// The topic holding the relay's position; nil: `<topic>.relay-position`.
        public var positionTopic: String?
        /// Outbox entries per Kafka transaction (a commit costs a few broker round trips: on the
        /// mock cluster 1,000 a batch gives ~28,000 records/s, 5,000 ~75,000).
        public var batchSize = 5_000
        /// How long to wait before looking again at an empty outbox.
        public var idleInterval: Duration = .milliseconds(50)
        /// The wait after a failure; it doubles on each failure in a row, up to `maxRetryInterval`.
        public var retryInterval: Duration = .milliseconds(200)
        public var maxRetryInterval: Duration = .seconds(10)
        /// Producer settings (compression, queue bounds, timeouts).
        public var producer = KafkaProducerOptions()

        public init() {}
    }

    /// Counters since the relay was created, for `/metrics` and `status`.
    public struct Statistics: Sendable, Hashable {
        /// Messages published in committed transactions.
        public var publishedRecords = 0
        /// Entries found already in the topic when resuming, and not published again.
        public var skippedRecords = 0
        public var committedTransactions = 0
        /// Transactions aborted after a failure (their batch is published again).
        public var abortedTransactions = 0
        /// The last outbox position Kafka committed (nil until the relay has read it).
        public var publishedPosition: Int64?
        /// The last failure, for operators.
        public var lastError: String?
    }

    /// The brokers and the topic records go to.
    public let endpoint: KafkaEndpoint
    /// The topic holding the relay's position.
    public let positionTopic: String
    /// The producer's `transactional.id`: the same for every run of the same relay.
    public let transactionalID: String

    /// Name of the header carrying each message's outbox position.
    public static let positionHeader = "outbox-position"

    private let store: any OutboxStore
    private let options: Options
    private let logger: Logger
    private let state = Mutex(Shared())
    private let finished = DispatchSemaphore(value: 0)

    private struct Shared {
        var statistics = Statistics()
        var stopping = false
        var started = false
        var failure: KafkaError?
    }

    /// Creates a relay; nothing connects until ``run()`` or ``start()``.
    /// - Parameters:
    ///   - url: `kafka://BROKER[,BROKER]/TOPIC`.
    ///   - transactionalID: Fixed for this relay across restarts (a new id would not fence the
    ///     old relay nor abort what it left open).
    /// - Throws: ``KafkaError`` `invalidURL` or `configuration`.
    public init(
        store: any OutboxStore,
        url: String,
        transactionalID: String,
        options: Options = Options(),
        logger: Logger
    ) throws {
        self.endpoint = try KafkaEndpoint(url: url)
        let positionTopic = options.positionTopic ?? "\(self.endpoint.topic).relay-position"
        guard KafkaEndpoint.isTopic(positionTopic) else {
            throw KafkaError(
                code: .configuration,
                message: "position topic '\(positionTopic)' is not a valid topic name"
            )
        }
        guard !transactionalID.isEmpty else {
            throw KafkaError(code: .configuration, message: "the relay needs a transactional id")
        }
        guard options.batchSize > 0 else {
            throw KafkaError(code: .configuration, message: "the relay's batch size must be positive")
        }
        self.positionTopic = positionTopic
        self.transactionalID = transactionalID
        self.store = store
        self.options = options
        self.logger = logger
    }

    /// Counters so far.
    public var statistics: Statistics { self.state.withLock { $0.statistics } }

    /// The failure that stopped the relay (a newer relay fenced it), if any.
    public var failure: KafkaError? { self.state.withLock { $0.failure } }

    /// Outbox positions not yet published: the highest position stored minus the last one
    /// Kafka committed (before the relay has read that, every stored record counts).
    /// - Throws: When the store cannot be read.
    public func lag() throws -> Int64 {
        let status = try self.store.outboxStatus()
        guard let published = self.statistics.publishedPosition else { return Int64(status.count) }
        return max(0, status.lastPosition - published)
    }

    /// Runs ``run()`` on a new thread; ``stop()`` ends it.
    public func start() {
        self.state.withLock { $0.started = true }
        let thread = Thread { [self] in
            do {
                try self.run()
            } catch {
                // run() records the failure; the thread just ends.
            }
            self.finished.signal()
        }
        thread.name = "newswire-outbox-relay"
        thread.start()
    }

    /// Asks the relay to stop after the transaction in progress; when it was started with
    /// ``start()``, waits until it has.
    public func stop() {
        let started = self.state.withLock { state in
            state.stopping = true
            return state.started
        }
        if started { self.finished.wait() }
    }

    private var stopping: Bool { self.state.withLock { $0.stopping } }

    /// Publishes the outbox on the calling thread until ``stop()``.
    ///
    /// A failure (a broker down, a failed delivery, an unreadable store) aborts the
    /// transaction in progress, is logged, and the relay resumes from what Kafka committed
    /// after a growing pause: nothing is lost or skipped.
    /// - Throws: ``KafkaError`` `fenced` when another relay took over the transactional id.
    public func run() throws {
        var pause = self.options.retryInterval
        while !self.stopping {
            do {
                try self.session {
                    pause = self.options.retryInterval
                }
                return
            } catch let error as KafkaError where error.code == .fenced {
                self.state.withLock {
                    $0.failure = error
                    $0.statistics.lastError = error.description
                }
                self.logger.info(
                    "outbox relay fenced by a newer one",
                    metadata: ["kafka.transactional_id": "\(self.transactionalID)", "error": "\(error)"]
                )
                throw error
            } catch {
                self.state.withLock { $0.statistics.lastError = "\(error)" }
                self.logger.info(
                    "outbox relay failed, resuming from the committed position",
                    metadata: [
                        "kafka.topic": "\(self.endpoint.topic)", "error": "\(error)",
                        "retry_in": "\(pause)",
                    ]
                )
                self.sleep(pause)
                pause = min(pause * 2, self.options.maxRetryInterval)
            }
        }
    }

    /// One producer's life: register, resume, then publish batches until stopped.
    private func session(onProgress: () -> Void) throws {
        let producer = try KafkaProducer(
            endpoint: self.endpoint,
            transactionalID: self.transactionalID,
            options: self.options.producer,
            logger: self.logger
        )
        try producer.initTransactions()
        // Fail early, with a clear message, when a topic does not exist and cannot be created.
        _ = try producer.partitionCount(topic: self.endpoint.topic)
        _ = try producer.partitionCount(topic: self.positionTopic)
        var resume = try self.resume()
        self.logger.debug(
            "outbox relay resuming",
            metadata: ["outbox.position": "\(resume.position)", "kafka.topic": "\(self.endpoint.topic)"]
        )
        while !self.stopping {
            let entries = try self.store.outboxEntries(after: resume.position, limit: self.options.batchSize)
            if entries.isEmpty {
                self.sleep(self.options.idleInterval)
                continue
            }
            do {
                try self.publish(entries, with: producer, resume: &resume)
            } catch {
                self.state.withLock { $0.statistics.abortedTransactions += 1 }
                do {
                    try producer.abortTransaction()
                } catch {
                    self.logger.debug("aborting the relay transaction failed", metadata: ["error": "\(error)"])
                }
                throw error
            }
            onProgress()
            try self.store.deleteOutbox(through: resume.position)
        }
    }

    /// Where to go on: the last committed position, and per partition of the topic the last
    /// position it already holds beyond that.
    private struct Resume {
        var position: Int64
        var held: [Int32: Int64]
    }

    private func resume() throws -> Resume {
        let consumer = try KafkaConsumer(
            bootstrapServers: self.endpoint.bootstrapServers,
            readCommitted: true,
            logger: self.logger
        )
        var position: Int64 = 0
        let ownKey = Array(self.transactionalID.utf8)
        for partition in 0..<(try consumer.partitionCount(topic: self.positionTopic) ?? 0) {
            let last = try consumer.lastMessage(topic: self.positionTopic, partition: Int32(partition)) {
                $0.key == ownKey
            }
            if let last, let value = Int64(String(decoding: last.value, as: UTF8.self)) {
                position = max(position, value)
            }
        }
        var held: [Int32: Int64] = [:]
        for partition in 0..<(try consumer.partitionCount(topic: self.endpoint.topic) ?? 0) {
            let last = try consumer.lastMessage(topic: self.endpoint.topic, partition: Int32(partition)) {
                $0.header(Self.positionHeader) != nil
            }
            if let value = last?.header(Self.positionHeader).flatMap({ Int64($0) }), value > position {
                held[Int32(partition)] = value
            }
        }
        try self.store.deleteOutbox(through: position)
        self.state.withLock { $0.statistics.publishedPosition = position }
        if !held.isEmpty {
            self.logger.debug(
                "topic holds uncommitted-looking messages past the relay position",
                metadata: ["outbox.position": "\(position)", "partitions": "\(held.count)"]
            )
        }
        return Resume(position: position, held: held)
    }

    /// One transaction: the entries, then (once all are acknowledged) the new position.
    private func publish(_ entries: [OutboxEntry], with producer: KafkaProducer, resume: inout Resume) throws {
        guard let last = entries.last?.position else { return }
        try producer.beginTransaction()
        var published = 0
        var skipped = 0
        for entry in entries {
            let partition = try producer.partition(forKey: entry.record.key, topic: self.endpoint.topic)
            if let held = resume.held[partition], entry.position <= held {
                skipped += 1
                continue
            }
            try producer.send(
                topic: self.endpoint.topic,
                partition: partition,
                key: Array(entry.record.key.utf8),
                value: entry.record.value,
                headers: entry.record.headers + [OutboxHeader(name: Self.positionHeader, value: String(entry.position))]
            )
            published += 1
        }
        // The records must be acknowledged before the position is written: then even a broker
        // without transaction markers never shows a position ahead of its records.
        try producer.flush()
        try producer.send(
            topic: self.positionTopic,
            partition: 0,
            key: Array(self.transactionalID.utf8),
            value: Array(String(last).utf8),
            headers: []
        )
        try producer.commitTransaction()
        resume.position = last
        if let highest = resume.held.values.max(), highest <= last { resume.held = [:] }
        self.state.withLock { state in
            state.statistics.publishedRecords += published
            state.statistics.skippedRecords += skipped
            state.statistics.committedTransactions += 1
            state.statistics.publishedPosition = last
        }
    }

    private func sleep(_ duration: Duration) {
        let deadline = ContinuousClock.now + duration
        while !self.stopping {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return }
            let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18
            Thread.sleep(forTimeInterval: min(0.05, seconds))
        }
    }
}
