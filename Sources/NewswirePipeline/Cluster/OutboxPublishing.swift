import Foundation
import Logging
import NewswireCore
import NewswireKafka

/// What publishes a run's outbox to its broker (the relay): started and stopped by the run,
/// on its own thread.
protocol OutboxPublisher: AnyObject, Sendable {
    /// Starts publishing (idempotent).
    func start()
    /// Stops after the current broker transaction (idempotent); blocks until it has.
    func stop()
    /// Waits until the outbox is empty or `seconds` have passed; returns whether it is empty.
    func drain(seconds: Double) -> Bool
}

extension OutboxPublisher {
    /// At the end of a crawl or replay: waits a while for the outbox to be published, and
    /// says so when it is not (the records stay in the outbox for the next run's relay).
    func finish(logger: Logger, seconds: Double = 120) {
        if !self.drain(seconds: seconds) {
            logger.warning(
                "the broker has not taken every record yet: they stay in the outbox and the next run publishes them"
            )
        }
    }
}

enum OutboxPublishing {
    /// The relay for a broker output, or `nil` for an NDJSON output.
    static func make(
        _ configuration: PipelineConfiguration,
        outbox: (any OutboxStore)?,
        logger: Logger
    ) throws -> (any OutboxPublisher)? {
        guard let broker = configuration.brokerOutput else { return nil }
        guard let outbox else { throw RunError("the state store keeps no outbox, which \(broker) needs") }
        do {
            // The same for every run and worker of a pipeline and topic, so a relay that
            // starts fences any older one.
            let topic = try KafkaEndpoint(url: broker).topic
            return try KafkaPublisher(
                outbox: outbox,
                url: broker,
                transactionalID: "newswire-relay-" + configuration.name + "-" + topic,
                logger: logger
            )
        } catch {
            throw RunError("\(error)")
        }
    }
}

extension WorkerRecord {
    /// This process: a unique id per run, and its host name and process id for operators.
    static func current(now: Date = Date()) -> WorkerRecord {
        let host = ProcessInfo.processInfo.hostName
        let pid = ProcessInfo.processInfo.processIdentifier
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return WorkerRecord(
            id: "\(host)-\(pid)-\(suffix)",
            description: "\(host) pid \(pid)",
            startedAt: now,
            lastSeenAt: now
        )
    }
}
