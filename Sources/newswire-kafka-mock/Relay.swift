import ArgumentParser
import Foundation
import Logging
import NewswireCore
import NewswireKafka

/// Runs an ``OutboxRelay`` over an outbox file until the outbox is published (or forever).
struct Relay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish an outbox file (lines POSITION<TAB>KEY<TAB>FEED<TAB>VALUE) with the outbox relay.",
        discussion:
            "The deleted-through position is kept in OUTBOX.deleted, so the relay can be killed and started again."
    )

    @Option(help: "The output, kafka://BROKER[,BROKER]/TOPIC.")
    var url: String

    @Option(help: "The outbox file.")
    var outbox: String

    @Option(help: "The relay's transactional id.")
    var transactionalId = "newswire-relay"

    @Option(help: "Outbox entries per transaction.")
    var batch = 5_000

    @Flag(help: "Exit once the whole outbox is published.")
    var exitWhenDone = false

    @Option(help: "Log level (trace, debug, info).")
    var logLevel = "info"

    func run() throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "newswire.kafka-mock.relay")
        logger.logLevel = Logger.Level(rawValue: self.logLevel) ?? .info
        let store = try OutboxFile(file: URL(fileURLWithPath: self.outbox))
        var options = OutboxRelay.Options()
        options.batchSize = self.batch
        let relay = try OutboxRelay(
            store: store,
            url: self.url,
            transactionalID: self.transactionalId,
            options: options,
            logger: logger
        )
        relay.start()
        while true {
            Thread.sleep(forTimeInterval: 0.05)
            if let failure = relay.failure { throw failure }
            if self.exitWhenDone, try store.outboxStatus().count == 0, try relay.lag() == 0 {
                break
            }
        }
        relay.stop()
        let statistics = relay.statistics
        FileHandle.standardOutput.write(
            Data(
                "published \(statistics.publishedRecords) skipped \(statistics.skippedRecords) transactions \(statistics.committedTransactions) aborted \(statistics.abortedTransactions)\n"
                    .utf8
            )
        )
    }
}
