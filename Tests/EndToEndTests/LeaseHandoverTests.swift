import Foundation
import Logging
import NewswireCore
import NewswireState
import Testing

@testable import NewswirePipeline

/// The PostgreSQL server of `scripts/with-postgres` (`scripts/test` runs the suite under it).
private let postgresURL = ProcessInfo.processInfo.environment["NEWSWIRE_TEST_POSTGRES"]

/// A host given back to the other workers keeps its lease until this worker's last poll of it
/// is stored: the next holder starts from the stored feed state and writes none of those
/// stories again. The feeds are never fetched here (no engine runs): the test plays the
/// engine's part, yielding a poll, reporting it, then its commit.
@Suite(
    .serialized,
    .enabled(if: postgresURL != nil, "NEWSWIRE_TEST_POSTGRES is not set: run under scripts/with-postgres")
)
struct LeaseHandoverTests {
    @Test func aHostGivenBackIsReleasedOnlyOnceItsLastPollIsStored() throws {
        let schema = "handover_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let logger = Logger(label: "newswire.test", factory: { _ in SwiftLogNoOpLogHandler() })
        let opened = try StateReader.open("\(postgresURL ?? "")?schema=\(schema)", logger: logger)
        let store = try #require(opened as? any LeaseStore & PipelineStateStore)
        // Two hosts; the one sorted last is the one given back when a second worker comes.
        let kept = "http://127.0.0.1:8101/feed.xml"
        let handed = "http://127.0.0.2:8102/feed.xml"
        let handedLease = WatchSource.leaseName(for: handed)
        let source = WatchSource(
            feeds: [FeedTask(url: handed), FeedTask(url: kept)],
            states: [:],
            policy: PollPolicy(),
            clock: SystemClock(),
            seed: 7,
            leased: true
        )
        let coordinator = LeaseCoordinator(
            store: store,
            source: source,
            worker: WorkerRecord(id: "a", description: "worker a", startedAt: Date(), lastSeenAt: Date()),
            leaseSeconds: 60,
            wantsRelay: false,
            logger: logger
        )
        func owner(_ lease: String) throws -> String? { try store.leases().first { $0.name == lease }?.owner }

        coordinator.round()
        #expect(coordinator.status.hosts == 2)
        // A poll of the host to be given back is in flight.
        guard case .feed(let task) = source.next() else {
            Issue.record("the source yielded no feed")
            return
        }
        #expect(task.url == handed)

        // A second worker: the share falls to one host each.
        let now = Date()
        _ = try store.heartbeat(
            worker: WorkerRecord(id: "b", description: "worker b", startedAt: now, lastSeenAt: now),
            liveSeconds: 60
        )
        coordinator.round()
        #expect(coordinator.status.hosts == 1)
        #expect(try owner(handedLease) == "a", "released while its poll was in flight")
        #expect(!source.isSettled(handedLease))

        // The poll is parsed: its stories are on their way to the output, not yet stored.
        var state = FeedState(url: handed)
        source.polled(task, outcome: PollOutcome(result: .changed(newItems: 3), at: Date()), state: &state)
        coordinator.round()
        #expect(try owner(handedLease) == "a", "released before its poll was stored")

        // The commit that stores the feed's state (and so its stories) lets it go.
        source.stored(feeds: [handed])
        #expect(source.isSettled(handedLease))
        coordinator.round()
        #expect(try owner(handedLease) == nil)
        #expect(try owner(WatchSource.leaseName(for: kept)) == "a")
        #expect(try store.claimLeases(worker: "b", prefix: "host:", limit: 1, seconds: 60) == [handedLease])
        coordinator.stop()
    }
}
