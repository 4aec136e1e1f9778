public import Foundation
import HeapModule
public import NewswireCore

/// The daemon's source: yields each feed when its next poll is due, forever (or one cycle
/// with `once`), and reschedules it when the engine reports the poll (``FeedPollObserver``).
///
/// Every feed has one next-poll time, kept in the state store with its other state; a feed
/// is never yielded again while a poll of it is in flight. ``next()`` blocks until a feed is
/// due, the source is woken (``pollAllNow()``, ``reload(_:)``) or stopped (``stop()``).
/// Any thread may call any method.
public final class WatchSource: WorkSource, FeedPollObserver, @unchecked Sendable {
    // @unchecked: every stored property below is touched only under `condition`'s lock.
    private struct Entry {
        var task: FeedTask
        var policy: PollPolicy
        /// Bumped when the feed is rescheduled: older heap entries for it are stale.
        var generation = 0
        var inFlight = false
        /// Polls yielded whose state the store does not hold yet (their records may still
        /// be on their way to the output).
        var unstored = 0
        var due: Date
        var failures = 0
        var gone = false
    }

    private struct Due: Comparable {
        var at: Date
        /// Ties (a cycle of feeds due at once) keep the pipeline's order.
        var order: Int
        var url: String
        var generation: Int

        static func < (left: Due, right: Due) -> Bool {
            left.at != right.at ? left.at < right.at : left.order < right.order
        }
    }

    private let condition = NSCondition()
    private let clock: any NewswireClock
    private var policy: PollPolicy
    private var entries: [String: Entry] = [:]
    private var order: [String: Int] = [:]
    private var heap = Heap<Due>()
    private var random: SeededGenerator
    private var stopped = false
    /// The host leases this worker holds (``leaseName(for:)``), when several workers share
    /// the feeds; `nil` polls every feed.
    private var held: Set<String>?
    /// With `once`: the feeds of the one cycle not yet yielded.
    private var cycle: Int?
    /// How long `next()` sleeps at most before looking at the clock again (a manual clock in
    /// tests moves without waking anyone).
    private let tick: Double

    /// - Parameters:
    ///   - feeds: the pipeline's feeds, in its order.
    ///   - states: their stored states (their next poll times).
    ///   - once: yield every feed due now once, then close (`watch --once`).
    ///   - seed: seeds the jitter, so a run can be replayed.
    ///   - leased: poll nothing until ``hold(_:states:)`` hands over host leases (several
    ///     workers share the feeds).
    public init(
        feeds: [FeedTask],
        states: [String: FeedState],
        policy: PollPolicy,
        clock: any NewswireClock,
        once: Bool = false,
        seed: UInt64 = UInt64.random(in: 0...UInt64.max),
        tick: Double = 0.25,
        leased: Bool = false
    ) {
        self.clock = clock
        self.held = leased ? [] : nil
        self.policy = policy
        self.random = SeededGenerator(seed: seed)
        self.tick = tick
        self.load(feeds, states: states)
        if once {
            let now = clock.now()
            self.cycle = self.entries.values.filter { $0.due <= now }.count
        }
    }

    private func load(_ feeds: [FeedTask], states: [String: FeedState]) {
        let now = self.clock.now()
        for (index, task) in feeds.enumerated() where self.entries[task.url] == nil {
            let state = states[task.url]
            self.order[task.url] = index
            var entry = Entry(task: task, policy: self.policy.bounded(by: task.settings), due: state?.nextPollAt ?? now)
            entry.failures = state?.consecutiveFailures ?? 0
            entry.gone = state?.goneAt != nil
            self.entries[task.url] = entry
            self.heap.insert(Due(at: entry.due, order: index, url: task.url, generation: 0))
        }
    }

    // MARK: WorkSource

    public func next() -> WorkItem? {
        self.condition.lock()
        defer { self.condition.unlock() }
        while !self.stopped {
            if let cycle = self.cycle, cycle <= 0 { return nil }
            guard let top = self.heap.min else {
                // Every feed is in flight (or there are none): wait for one to come back.
                if self.cycle != nil && self.entries.isEmpty { return nil }
                _ = self.condition.wait(until: Date().addingTimeInterval(self.tick))
                continue
            }
            guard let entry = self.entries[top.url], entry.generation == top.generation, !entry.inFlight,
                self.isHeld(top.url)
            else {
                _ = self.heap.popMin()
                continue
            }
            let now = self.clock.now()
            if top.at <= now {
                _ = self.heap.popMin()
                // Round 0: the engine orders the stream by place alone, which grows across polls.
                let task = entry.task
                self.entries[top.url]?.inFlight = true
                self.entries[top.url]?.unstored += 1
                if self.cycle != nil { self.cycle! -= 1 }
                return .feed(task)
            }
            if self.cycle != nil { return nil }
            let wait = min(top.at.timeIntervalSince(now), self.tick)
            _ = self.condition.wait(until: Date().addingTimeInterval(max(wait, 0.001)))
        }
        return nil
    }

    // MARK: FeedPollObserver

    public func polled(_ task: FeedTask, outcome: PollOutcome, state: inout FeedState) {
        self.condition.lock()
        defer { self.condition.unlock() }
        let policy = self.entries[task.url]?.policy ?? self.policy.bounded(by: task.settings)
        PollScheduler.schedule(&state, after: outcome, policy: policy, random: self.random.nextUnit())
        guard var entry = self.entries[task.url] else { return }
        entry.inFlight = false
        entry.generation += 1
        entry.due = state.nextPollAt ?? outcome.at.addingTimeInterval(policy.minInterval)
        entry.failures = state.consecutiveFailures
        entry.gone = state.goneAt != nil
        self.entries[task.url] = entry
        // A host whose lease went to another worker meanwhile is that worker's to poll.
        guard self.isHeld(task.url) else { return }
        self.heap.insert(
            Due(at: entry.due, order: self.order[task.url] ?? 0, url: task.url, generation: entry.generation)
        )
        self.condition.broadcast()
    }

    public func stored(feeds: [String]) {
        self.condition.lock()
        defer { self.condition.unlock() }
        for url in feeds where (self.entries[url]?.unstored ?? 0) > 0 {
            self.entries[url]?.unstored -= 1
        }
    }

    // MARK: Leases

    /// Whether every poll of the feeds under `lease` has finished and its state (with every
    /// record of it) is stored: another worker may then take the host over without
    /// repeating what this one wrote.
    public func isSettled(_ lease: String) -> Bool {
        self.condition.lock()
        defer { self.condition.unlock() }
        return !self.entries.contains { url, entry in
            (entry.inFlight || entry.unstored > 0) && Self.leaseName(for: url) == lease
        }
    }

    /// The lease that covers the feed at `url`: all feeds of one host (and port) go to one
    /// worker together, so per-host politeness holds across workers.
    public static func leaseName(for url: String) -> String {
        guard let parsed = URL(string: url), let host = parsed.host?.lowercased() else { return "host:" + url }
        return "host:" + host + (parsed.port.map { ":\($0)" } ?? "")
    }

    /// The host leases of every feed watched.
    public func leaseNames() -> Set<String> {
        self.condition.lock()
        defer { self.condition.unlock() }
        return Set(self.entries.keys.map(Self.leaseName(for:)))
    }

    private func isHeld(_ url: String) -> Bool {
        guard let held = self.held else { return true }
        return held.contains(Self.leaseName(for: url))
    }

    /// Polls only the feeds of the hosts in `leases` from now on. The feeds of a host newly
    /// held take their schedule from `states` (another worker polled them until now); a poll
    /// in flight for a host no longer held finishes, but its feed is not polled again here.
    public func hold(_ leases: Set<String>, states: [String: FeedState]) {
        self.condition.lock()
        defer { self.condition.unlock() }
        let before = self.held ?? []
        self.held = leases
        let now = self.clock.now()
        for (url, var entry) in self.entries {
            let name = Self.leaseName(for: url)
            let gained = leases.contains(name) && !before.contains(name)
            let lost = !leases.contains(name) && before.contains(name)
            guard gained || lost else { continue }
            entry.generation += 1
            if gained, let state = states[url] {
                entry.due = state.nextPollAt ?? now
                entry.failures = state.consecutiveFailures
                entry.gone = state.goneAt != nil
            }
            self.entries[url] = entry
            if gained && !entry.inFlight {
                self.heap.insert(
                    Due(at: entry.due, order: self.order[url] ?? 0, url: url, generation: entry.generation)
                )
            }
        }
        self.condition.broadcast()
    }

    // MARK: Control

    /// Stops yielding work: ``next()`` returns `nil` from now on (polls in flight finish).
    public func stop() {
        self.condition.lock()
        self.stopped = true
        self.condition.broadcast()
        self.condition.unlock()
    }

    /// Makes every feed due now (SIGUSR1); a feed in flight keeps the time its poll schedules.
    public func pollAllNow() {
        self.condition.lock()
        defer { self.condition.unlock() }
        let now = self.clock.now()
        for (url, var entry) in self.entries {
            entry.generation += 1
            entry.due = now
            self.entries[url] = entry
            if !entry.inFlight && self.isHeld(url) {
                self.heap.insert(Due(at: now, order: self.order[url] ?? 0, url: url, generation: entry.generation))
            }
        }
        self.condition.broadcast()
    }

    /// Takes a new feed list (SIGHUP): new feeds are due at once (or when their stored
    /// state says), removed ones are no longer polled, kept ones take their new settings.
    public func reload(_ feeds: [FeedTask], policy: PollPolicy, states: [String: FeedState]) {
        self.condition.lock()
        defer { self.condition.unlock() }
        self.policy = policy
        let wanted = Set(feeds.map(\.url))
        for url in self.entries.keys where !wanted.contains(url) {
            self.entries[url] = nil
            self.order[url] = nil
        }
        for (index, task) in feeds.enumerated() {
            self.order[task.url] = index
            if var entry = self.entries[task.url] {
                entry.task = task
                entry.policy = policy.bounded(by: task.settings)
                self.entries[task.url] = entry
            }
        }
        self.load(feeds, states: states)
        self.condition.broadcast()
    }

    // MARK: Health

    /// Counts for `/metrics`: feeds watched, due now, overdue (due more than `grace` seconds
    /// ago), failing (one failure or more in a row), gone, and polls in flight.
    public struct Counts: Sendable, Hashable {
        public var feeds = 0
        public var due = 0
        public var overdue = 0
        public var failing = 0
        public var gone = 0
        public var inFlight = 0
    }

    public func counts(grace: Double = 60) -> Counts {
        self.condition.lock()
        defer { self.condition.unlock() }
        let now = self.clock.now()
        var counts = Counts()
        for (url, entry) in self.entries where self.isHeld(url) {
            counts.feeds += 1
            if entry.inFlight { counts.inFlight += 1 }
            if !entry.inFlight, entry.due <= now { counts.due += 1 }
            if !entry.inFlight, entry.due < now.addingTimeInterval(-grace) { counts.overdue += 1 }
            if entry.failures > 0 { counts.failing += 1 }
            if entry.gone { counts.gone += 1 }
        }
        return counts
    }

    /// The next poll time of every feed (for tests and the log).
    public func dueTimes() -> [String: Date] {
        self.condition.lock()
        defer { self.condition.unlock() }
        return self.entries.mapValues(\.due)
    }
}
