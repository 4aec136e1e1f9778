import Foundation
import Logging
import NewswireCore
import NewswireKafka
import Synchronization

/// The Kafka relay of a run, behind ``OutboxPublisher``: a new `OutboxRelay` each time the
/// run (or the relay lease) starts it, all with the pipeline's fixed transactional id, so a
/// relay that starts fences any older one.
final class KafkaPublisher: OutboxPublisher {
    private let outbox: any OutboxStore
    private let url: String
    private let transactionalID: String
    private let logger: Logger
    private let current = Mutex<OutboxRelay?>(nil)

    init(outbox: any OutboxStore, url: String, transactionalID: String, logger: Logger) throws {
        self.outbox = outbox
        self.url = url
        self.transactionalID = transactionalID
        self.logger = logger
        // Checks the URL now: a bad one stops the run before anything is fetched.
        _ = try OutboxRelay(store: outbox, url: url, transactionalID: transactionalID, logger: logger)
    }

    func start() {
        self.current.withLock { current in
            guard current == nil else { return }
            do {
                let relay = try OutboxRelay(
                    store: self.outbox,
                    url: self.url,
                    transactionalID: self.transactionalID,
                    logger: self.logger
                )
                relay.start()
                current = relay
            } catch {
                self.logger.error("the outbox relay cannot start", metadata: ["error": "\(error)"])
            }
        }
    }

    func stop() {
        let relay = self.current.withLock { current in
            defer { current = nil }
            return current
        }
        relay?.stop()
    }

    func drain(seconds: Double) -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while (try? self.outbox.outboxStatus().count) != 0 {
            guard ContinuousClock.now < deadline else { return false }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return true
    }
}
