import DequeModule
import NewswireCore

/// One request on its way through the fetcher: queued for its host, in flight, or waiting
/// for a retry. Lives on the driver thread only.
struct Submission {
    var request: FetchRequest
    var completion: @Sendable (Result<FetchedDocument, FetchError>) -> Void
    /// 1 for the first try.
    var attempt = 1
    /// The politeness key of the request's host (``HostQueues/key(for:)``).
    var host: String
    /// When its host's queue let it start (monotonic seconds).
    var startedAt = -Double.infinity
}

/// Per-host politeness: a queue per host, at most `connections` transfers of a host at
/// once, at least `delay` seconds between two starts on a host, and a slowdown after the
/// host answers 429 or 503. Hosts are independent: a slow or paused host never holds up
/// another, and no thread waits for a host (a waiting host only sets a timer).
///
/// A plain state machine of the fetcher's driver thread: every call passes the time (a
/// monotonic clock in seconds) and gets back what to start or fail, so tests drive it
/// with any clock they like.
final class HostQueues {
    /// What the fetcher should do with a submission now.
    enum Action {
        case start(Submission)
        case fail(Submission, FetchError)
    }

    /// How a finished transfer speaks of its host.
    enum Signal {
        /// A response that is not 429, 503 or another 5xx: the host copes; its slowdown eases.
        case healthy
        /// 429 or 503: the host is overloaded; slow down, and pause for `retryAfter` seconds.
        case overloaded(retryAfter: Double?)
        /// Anything else (other 5xx, transport errors): no change of pace.
        case neutral
    }

    struct Limits {
        var connections: Int
        var delay: Double
        /// The first slowdown step, in seconds between starts.
        var slowdownStep: Double
        /// A pause longer than this fails the host's queued requests at once.
        var maxWait: Double

        init(_ options: FetchOptions) {
            self.connections = max(1, options.maxConnectionsPerHost)
            self.delay = max(0, options.perHostDelay)
            self.slowdownStep = max(0.001, options.retryBaseDelay)
            self.maxWait = options.maxRetryWait
        }
    }

    private struct Host {
        var waiting = Deque<Submission>()
        var active = 0
        var lastStart = -Double.infinity
        /// Extra seconds between starts after 429/503; doubles on each, halves on each success
        /// of a request started since, and ends under half a step.
        var slowdown = 0.0
        var slowedAt = -Double.infinity
        var pausedUntil = -Double.infinity
        /// The time of the earliest timer set for this host, if one is pending.
        var timer: Double?

        var isIdle: Bool { self.waiting.isEmpty && self.active == 0 && self.timer == nil && self.slowdown == 0 }
    }

    private enum Timer {
        case host(String)
        case retry(Submission)
    }

    let limits: Limits
    private var hosts: [String: Host] = [:]
    private var timers = TimerHeap<Timer>()

    init(limits: Limits) {
        self.limits = limits
    }

    /// The politeness key of `url`: its host and port (`example.org:443`), so feeds and
    /// pages of one server share one queue. URLs that do not parse share one key each.
    static func key(for url: String) -> String {
        guard let parsed = WebURL(url) else { return url }
        let port = parsed.port ?? WebURL.defaultPort(of: parsed.scheme) ?? 0
        return "\(parsed.host):\(port)"
    }

    /// Transfers in flight, and requests waiting for their host or a retry (for tests and logs).
    var counts: (active: Int, waiting: Int) {
        var active = 0
        var waiting = self.timers.count { if case .retry = $0 { true } else { false } }
        for host in self.hosts.values {
            active += host.active
            waiting += host.waiting.count
        }
        return (active, waiting)
    }

    /// Queues `submission` behind its host's others (a retry goes first) and returns what
    /// may start now.
    func enqueue(_ submission: Submission, first: Bool = false, now: Double) -> [Action] {
        if first {
            self.hosts[submission.host, default: Host()].waiting.prepend(submission)
        } else {
            self.hosts[submission.host, default: Host()].waiting.append(submission)
        }
        return self.pump(submission.host, now: now)
    }

    /// Tries `submission` again once `delay` seconds have passed.
    func retry(_ submission: Submission, after delay: Double, now: Double) {
        self.timers.push(.retry(submission), at: now + delay)
    }

    /// The transfer of `submission` finished; returns what may start now.
    func finished(_ submission: Submission, _ signal: Signal, now: Double) -> [Action] {
        let host = submission.host
        guard var state = self.hosts[host] else { return [] }
        state.active = max(0, state.active - 1)
        switch signal {
        case .healthy where submission.startedAt >= state.slowedAt:
            // Only answers to requests sent since the slowdown show that the host copes.
            state.slowdown /= 2
            if state.slowdown < self.limits.slowdownStep / 2 { state.slowdown = 0 }
        case .healthy:
            break
        case .overloaded(let retryAfter):
            state.slowdown = min(max(state.slowdown * 2, self.limits.slowdownStep), self.limits.maxWait)
            state.slowedAt = now
            if let retryAfter { state.pausedUntil = max(state.pausedUntil, now + retryAfter) }
        case .neutral:
            break
        }
        self.hosts[host] = state
        return self.pump(host, now: now)
    }

    /// The time of the next timer, if any: the driver sleeps at most until then.
    var nextDeadline: Double? { self.timers.earliest }

    /// Fires the timers due at `now`: retries rejoin their host's queue at its head, waiting
    /// hosts start what they may.
    func fireTimers(now: Double) -> [Action] {
        var actions: [Action] = []
        while let (timer, at) = self.timers.popDue(now: now) {
            switch timer {
            case .retry(let submission):
                actions += self.enqueue(submission, first: true, now: now)
            case .host(let key):
                if self.hosts[key]?.timer == at { self.hosts[key]?.timer = nil }
                actions += self.pump(key, now: now)
            }
        }
        return actions
    }

    /// Forgets hosts with nothing to remember: idle, unpaused, and past their delay.
    func sweep(now: Double) {
        self.hosts = self.hosts.filter { _, host in
            !(host.isIdle && host.pausedUntil <= now && host.lastStart + self.limits.delay <= now)
        }
    }

    /// Hosts remembered (for tests: memory stays bounded).
    var hostCount: Int { self.hosts.count }

    /// Removes and returns every submission waiting for a host or a retry (at shutdown).
    func drain() -> [Submission] {
        var all: [Submission] = []
        for key in self.hosts.keys {
            all += self.hosts[key]!.waiting
            self.hosts[key]!.waiting.removeAll()
        }
        while let (timer, _) = self.timers.popDue(now: .infinity) {
            if case .retry(let submission) = timer { all.append(submission) }
        }
        return all
    }

    /// Starts what `key` may start now; sets a timer for when it may start more.
    private func pump(_ key: String, now: Double) -> [Action] {
        guard var host = self.hosts[key] else { return [] }
        defer { self.hosts[key] = host }
        var actions: [Action] = []
        // A host that asked for a longer pause than we wait: its queue fails at once
        // instead of holding a crawl for hours.
        if host.pausedUntil - now > self.limits.maxWait {
            let seconds = Int((host.pausedUntil - now).rounded(.up))
            while let submission = host.waiting.popFirst() {
                let message =
                    "not fetched: \(key) asked for a pause of \(seconds) s (Retry-After), "
                    + "longer than the \(Int(self.limits.maxWait)) s the fetcher waits"
                var error = FetchError(code: .hostBackoff, url: submission.request.url, message: message)
                error.retryAfter = host.pausedUntil - now
                error.attempt = submission.attempt
                actions.append(.fail(submission, error))
            }
            return actions
        }
        // A slowed-down host gets one transfer at a time until it recovers.
        let capacity = host.slowdown > 0 ? 1 : self.limits.connections
        let gap = max(self.limits.delay, host.slowdown)
        while !host.waiting.isEmpty && host.active < capacity {
            let ready = max(host.lastStart + gap, host.pausedUntil)
            if ready > now {
                if host.timer == nil || host.timer! > ready {
                    host.timer = ready
                    self.timers.push(.host(key), at: ready)
                }
                break
            }
            var submission = host.waiting.removeFirst()
            submission.startedAt = now
            host.active += 1
            host.lastStart = now
            actions.append(.start(submission))
        }
        return actions
    }
}

/// A binary min-heap of values by time; ties leave in insertion order.
struct TimerHeap<Value> {
    private var items: [(at: Double, order: Int, value: Value)] = []
    private var counter = 0

    var earliest: Double? { self.items.first?.at }

    func count(where predicate: (Value) -> Bool) -> Int { self.items.count { predicate($0.value) } }

    mutating func push(_ value: Value, at time: Double) {
        self.counter += 1
        self.items.append((time, self.counter, value))
        var child = self.items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard self.less(child, parent) else { break }
            self.items.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest value when it is due at `now`.
    mutating func popDue(now: Double) -> (Value, Double)? {
        guard let first = self.items.first, first.at <= now else { return nil }
        let last = self.items.removeLast()
        if !self.items.isEmpty {
            self.items[0] = last
            var parent = 0
            while true {
                let (left, right) = (2 * parent + 1, 2 * parent + 2)
                var smallest = parent
                if left < self.items.count && self.less(left, smallest) { smallest = left }
                if right < self.items.count && self.less(right, smallest) { smallest = right }
                guard smallest != parent else { break }
                self.items.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return (first.value, first.at)
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        (self.items[a].at, self.items[a].order) < (self.items[b].at, self.items[b].order)
    }
}
