import Foundation
public import Logging
public import NewswireCore
import NewswireState
import Synchronization

/// Shares the feeds among the workers of one shared state store: every third of a lease it
/// heartbeats, renews what it holds, gives back hosts above its share, claims unheld or
/// lapsed ones up to its share, and tells the ``WatchSource`` which hosts it may poll.
///
/// A host's feeds are leased together (`host:AUTHORITY`), so per-host politeness holds
/// across workers. The share is the host count divided by the live workers, rounded up, so
/// the hosts of a dead worker are taken over once its leases lapse and its heartbeat ages
/// out: within a lease and a third. One extra lease, `relay`, picks the worker that
/// publishes the outbox (``onRelay``).
///
/// A host given back is handed over in two steps: this worker stops polling it at once, and
/// releases its lease only once every poll of it has finished and is stored (or after a
/// lease at most): the next holder then starts from the stored feed state, and no story of
/// this worker's last polls is written again by the next one.
///
/// A round costs three to five statements, whatever the number of feeds: the lease cost per
/// poll falls as polls grow. When the store cannot be reached, the worker stops polling once
/// its leases would have lapsed, and takes up again when the store answers.
public final class LeaseCoordinator: Sendable {
    /// Counts for `/metrics` and the log.
    public struct Status: Sendable, Hashable {
        /// Host leases held.
        public var hosts = 0
        /// Hosts of the pipeline.
        public var hostsTotal = 0
        /// Workers seen alive at the last heartbeat.
        public var liveWorkers = 0
        /// Whether this worker runs the outbox relay.
        public var relay = false
        /// Statements sent to the store for leases since the start.
        public var roundTrips = 0
        /// Lease rounds that failed (the store did not answer).
        public var failures = 0
    }

    public static let relayLease = "relay"

    private let store: any LeaseStore & PipelineStateStore
    private let source: WatchSource
    private let worker: WorkerRecord
    private let leaseSeconds: Double
    private let wantsRelay: Bool
    private let logger: Logger
    private let onRelay: @Sendable (Bool) -> Void
    private let state = Mutex(Inner())
    private let wake = NSCondition()
    private let finished = DispatchSemaphore(value: 0)

    private struct Inner {
        var status = Status()
        var held: Set<String> = []
        /// Hosts above the share, no longer polled here, whose leases wait for their last
        /// polls to be stored; since when.
        var draining: [String: ContinuousClock.Instant] = [:]
        var relay = false
        var validUntil = ContinuousClock.now
        var stopped = false
        var started = false
    }

    /// - Parameters:
    ///   - store: The shared state store.
    ///   - source: The daemon's source (created with `leased: true`).
    ///   - worker: This worker (a unique id per process run).
    ///   - leaseSeconds: How long a claim lasts unless renewed.
    ///   - wantsRelay: Whether this worker competes for the `relay` lease (a broker output).
    ///   - onRelay: Called with `true` when this worker starts publishing the outbox, `false`
    ///     when it must stop (the lease lapsed or went to another worker, or the run ends).
    public init(
        store: any LeaseStore & PipelineStateStore,
        source: WatchSource,
        worker: WorkerRecord,
        leaseSeconds: Double,
        wantsRelay: Bool,
        logger: Logger,
        onRelay: @escaping @Sendable (Bool) -> Void = { _ in }
    ) {
        self.store = store
        self.source = source
        self.worker = worker
        self.leaseSeconds = leaseSeconds
        self.wantsRelay = wantsRelay
        self.logger = logger
        self.onRelay = onRelay
    }

    public var status: Status { self.state.withLock { $0.status } }

    /// Registers the pipeline's hosts, runs a first round (so polling starts at once), then
    /// keeps running rounds on a thread of its own until ``stop()``.
    public func start() {
        let first = self.state.withLock { state -> Bool in
            defer { state.started = true }
            return !state.started
        }
        guard first else { return }
        self.round()
        let thread = Thread { [self] in
            while true {
                self.wake.lock()
                _ = self.wake.wait(until: Date().addingTimeInterval(self.leaseSeconds / 3))
                self.wake.unlock()
                if self.state.withLock({ $0.stopped }) { break }
                self.round()
            }
            self.finished.signal()
        }
        thread.name = "newswire-leases"
        thread.start()
    }

    /// Runs a round now (after a reload, the host list changed).
    public func nudge() {
        self.wake.lock()
        self.wake.broadcast()
        self.wake.unlock()
    }

    /// Stops the rounds and gives every lease back (a clean stop: the others take over at
    /// once rather than after a lease).
    public func stop() {
        let started = self.state.withLock { state -> Bool in
            state.stopped = true
            return state.started
        }
        self.nudge()
        if started { self.finished.wait() }
        let status = self.status
        self.logger.notice(
            "leases released",
            metadata: [
                "statements": "\(status.roundTrips + 1)", "failures": "\(status.failures)",
                "worker": "\(self.worker.id)",
            ]
        )
        if self.state.withLock({ $0.relay }) { self.onRelay(false) }
        do {
            try self.store.releaseLeases(worker: self.worker.id, names: nil)
        } catch {
            self.logger.warning("could not release the leases", metadata: ["error": "\(error)"])
        }
    }

    /// One round: heartbeat, renew, balance, claim, relay.
    func round() {
        let began = ContinuousClock.now
        var trips = 0
        do {
            let hosts = self.source.leaseNames()
            try self.store.registerLeases(Array(hosts) + (self.wantsRelay ? [Self.relayLease] : []))
            let live = try self.store.heartbeat(worker: self.worker, liveSeconds: self.leaseSeconds)
            let held = Set(try self.store.renewLeases(worker: self.worker.id, seconds: self.leaseSeconds))
            trips += 3
            let share = (hosts.count + max(live, 1) - 1) / max(live, 1)
            var mine = held.filter { hosts.contains($0) }
            // Hosts being handed over are no longer this worker's to poll, unless the share
            // grew again meanwhile.
            var draining = self.state.withLock { $0.draining }.filter { mine.contains($0.key) }
            mine.subtract(draining.keys)
            if mine.count < share && !draining.isEmpty {
                for name in draining.keys.sorted().prefix(share - mine.count) {
                    draining[name] = nil
                    mine.insert(name)
                }
            }
            if mine.count > share {
                for name in mine.sorted().suffix(mine.count - share) {
                    draining[name] = began
                    mine.remove(name)
                }
            } else if mine.count < share {
                let claimed = try self.store.claimLeases(
                    worker: self.worker.id,
                    prefix: "host:",
                    limit: share - mine.count,
                    seconds: self.leaseSeconds
                )
                trips += 1
                mine.formUnion(claimed)
            }
            var relay = held.contains(Self.relayLease)
            if self.wantsRelay && !relay {
                relay =
                    !(try self.store.claimLeases(
                        worker: self.worker.id,
                        prefix: Self.relayLease,
                        limit: 1,
                        seconds: self.leaseSeconds
                    )).isEmpty
                trips += 1
            }
            let before = self.state.withLock { $0.held }
            if mine != before {
                var states: [String: FeedState] = [:]
                if !mine.subtracting(before).isEmpty {
                    for state in try self.store.allFeedStates() { states[state.url] = state }
                    trips += 1
                }
                self.source.hold(mine, states: states)
                self.logger.info(
                    "host leases",
                    metadata: [
                        "held": "\(mine.count)", "gained": "\(mine.subtracting(before).count)",
                        "lost": "\(before.subtracting(mine).count)", "handing over": "\(draining.count)",
                        "workers": "\(live)",
                    ]
                )
            }
            // Only after `hold`: the source yields no new poll of a draining host.
            let settled = draining.filter { name, since in
                self.source.isSettled(name) || began - since >= .seconds(self.leaseSeconds)
            }
            if !settled.isEmpty {
                try self.store.releaseLeases(worker: self.worker.id, names: settled.keys.sorted())
                trips += 1
                for name in settled.keys { draining[name] = nil }
            }
            let relayChanged = self.state.withLock { state -> Bool in
                state.held = mine
                state.draining = draining
                state.validUntil = began + .seconds(self.leaseSeconds)
                state.status.hosts = mine.count
                state.status.hostsTotal = hosts.count
                state.status.liveWorkers = live
                state.status.roundTrips += trips
                defer { state.relay = relay }
                state.status.relay = relay
                return state.relay != relay
            }
            if relayChanged {
                self.logger.notice(relay ? "publishing the outbox" : "no longer publishing the outbox")
                self.onRelay(relay)
            }
        } catch {
            let (lapsed, relay) = self.state.withLock { state -> (Bool, Bool) in
                state.status.failures += 1
                state.status.roundTrips += trips
                return (ContinuousClock.now >= state.validUntil, state.relay)
            }
            self.logger.error("lease round failed", metadata: ["error": "\(error)"])
            // Past the lease, another worker may hold these hosts: stop polling them.
            if lapsed {
                self.source.hold([], states: [:])
                self.state.withLock { state in
                    state.held = []
                    state.draining = [:]
                    state.relay = false
                    state.status.hosts = 0
                    state.status.relay = false
                }
                if relay { self.onRelay(false) }
            }
        }
    }
}
