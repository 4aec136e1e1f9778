public import Foundation
public import NewswireCore

/// The bounds and rules of the daemon's polling (the pipeline file's `watch:` mapping).
public struct PollPolicy: Sendable, Hashable {
    /// The shortest interval between two polls of one feed, in seconds.
    public var minInterval: Double = 300
    /// The longest interval, in seconds: every feed is polled at least this often, whatever
    /// it says of itself and however often it fails.
    public var maxInterval: Double = 6 * 3600
    /// The interval of a feed polled for the first time, before anything is learned.
    public var initialInterval: Double = 900
    /// Each interval is moved by up to this fraction either way, so feeds added together
    /// do not stay in step.
    public var jitter: Double = 0.1
    /// The first retry after a failure, in seconds; it doubles with each failure in a row,
    /// up to ``maxInterval``.
    public var failureBackoff: Double = 60
    /// How the interval grows after a poll that found nothing new, and shrinks after one that did.
    public var growth: Double = 1.5
    public var shrink: Double = 0.5

    public init() {}

    /// These bounds with a feed's own `min_interval`/`max_interval` laid over them.
    public func bounded(by settings: FeedSettings) -> PollPolicy {
        var policy = self
        if let minimum = settings.minInterval { policy.minInterval = minimum }
        if let maximum = settings.maxInterval { policy.maxInterval = maximum }
        policy.maxInterval = max(policy.maxInterval, policy.minInterval)
        return policy
    }
}

/// What one poll of a feed found, as the scheduler needs it.
public struct PollOutcome: Sendable, Hashable {
    public enum Result: Sendable, Hashable {
        /// Fetched and parsed; `newItems` of its items were not in the previous poll.
        case changed(newItems: Int)
        /// 304 Not Modified, or the same items as before.
        case unchanged
        /// A failure (network, HTTP status, parse); the feed is retried with backoff.
        case failed
        /// 410 Gone: the publisher has removed the feed.
        case gone
    }

    public var result: Result
    /// When the poll was made.
    public var at: Date
    /// Publication dates of the feed's items (any order).
    public var itemDates: [Date] = []
    /// The feed's own hints (`ttl`, `skipHours`, `skipDays`, `sy:updatePeriod`).
    public var schedule = FeedSchedule()
    /// Seconds the response may be cached (`Cache-Control: max-age`, or `Expires` − `Date`).
    public var cacheSeconds: Double?
    /// Seconds the server asked to wait (`Retry-After` on a 429, 503 or 3xx).
    public var retryAfter: Double?

    public init(result: Result, at: Date) {
        self.result = result
        self.at = at
    }

    /// Reads what a fetched feed says about caching and waiting.
    public init(result: Result, document: FetchedDocument, at: Date) {
        self.init(result: result, at: at)
        self.retryAfter = document.retryAfter
        self.cacheSeconds = Self.cacheSeconds(document.headers, at: document.fetchedAt)
    }

    /// `Cache-Control: max-age` (or `s-maxage`), else `Expires` less the response's `Date`.
    static func cacheSeconds(_ headers: HTTPHeaders, at: Date) -> Double? {
        if let control = headers["Cache-Control"]?.lowercased() {
            for directive in control.split(separator: ",") {
                let parts = directive.split(separator: "=", maxSplits: 1).map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                if parts.count == 2, parts[0] == "max-age" || parts[0] == "s-maxage",
                    let seconds = Double(parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))),
                    seconds >= 0
                {
                    return seconds
                }
                if parts[0] == "no-cache" || parts[0] == "no-store" { return 0 }
            }
        }
        if let expires = headers["Expires"].flatMap(DateParser.parse) {
            let base = headers["Date"].flatMap(DateParser.parse) ?? at
            return max(0, expires.timeIntervalSince(base))
        }
        return nil
    }
}

/// Decides when a feed is polled next: a pure function of its state, what the last poll
/// found, the policy and a random number (for jitter), so tests need no clock.
///
/// - The interval adapts to how often the feed really publishes: it is the median gap
///   between its newest items (halved, so a new item waits half a gap on average) when
///   the items carry dates; otherwise it shrinks after a poll with new items and grows
///   after one without.
/// - The feed's own `ttl`, `sy:updatePeriod`/`sy:updateFrequency` and the response's
///   `Cache-Control: max-age`/`Expires` lengthen it (a publisher's request not to poll sooner).
/// - All of that stays within the policy's `minInterval`…`maxInterval`.
/// - A failure backs off exponentially from `failureBackoff`, within `minInterval`…`maxInterval`;
///   `Retry-After` is obeyed even beyond the cap (up to a day).
/// - Jitter moves the result by up to ±`jitter`; then `skipHours`/`skipDays` push the poll
///   to the first hour that is not skipped.
public enum PollScheduler {
    /// `state` with `intervalSeconds` and `nextPollAt` set after `outcome`.
    ///
    /// - Parameter random: a number in 0..<1 (uniform) for the jitter.
    public static func schedule(
        _ state: inout FeedState,
        after outcome: PollOutcome,
        policy: PollPolicy,
        random: Double
    ) {
        let previous = state.intervalSeconds ?? policy.initialInterval
        var interval: Double
        var earliest: Double = 0
        switch outcome.result {
        case .failed:
            let failures = max(1, state.consecutiveFailures)
            interval = min(policy.maxInterval, policy.failureBackoff * pow(2, Double(min(failures - 1, 30))))
            interval = max(interval, policy.minInterval)
            // The learned interval is kept for when the feed recovers.
            state.nextPollAt = outcome.at.addingTimeInterval(
                Self.jittered(max(interval, outcome.retryAfter ?? 0), policy.jitter, random)
            )
            return
        case .gone:
            interval = policy.maxInterval
        case .changed(let newItems):
            if let learned = Self.publishingInterval(outcome.itemDates) {
                interval = learned / 2
            } else {
                interval = newItems > 0 ? previous * policy.shrink : previous * policy.growth
            }
        case .unchanged:
            interval = previous * policy.growth
            // A feed that publishes more often than it is polled will change again soon.
            if let learned = Self.publishingInterval(outcome.itemDates) {
                interval = min(interval, max(previous, learned / 2))
            }
        }
        if let ttl = outcome.schedule.ttlMinutes { earliest = max(earliest, Double(ttl) * 60) }
        if let announced = outcome.schedule.syndicationInterval { earliest = max(earliest, announced) }
        if let cache = outcome.cacheSeconds { earliest = max(earliest, cache) }
        interval = max(interval, earliest)
        interval = min(max(interval, policy.minInterval), policy.maxInterval)
        state.intervalSeconds = interval
        var next = outcome.at.addingTimeInterval(Self.jittered(interval, policy.jitter, random))
        if let wait = outcome.retryAfter { next = max(next, outcome.at.addingTimeInterval(min(wait, 86_400))) }
        state.nextPollAt = Self.skipping(next, outcome.schedule)
    }

    /// The median gap between the newest dated items (up to 20), if at least three carry dates.
    public static func publishingInterval(_ dates: [Date]) -> Double? {
        let newest = Array(Set(dates).sorted(by: >).prefix(20))
        guard newest.count >= 3 else { return nil }
        var gaps: [Double] = []
        for index in 1..<newest.count { gaps.append(newest[index - 1].timeIntervalSince(newest[index])) }
        gaps.sort()
        let median = gaps[gaps.count / 2]
        return median > 0 ? median : nil
    }

    static func jittered(_ interval: Double, _ jitter: Double, _ random: Double) -> Double {
        let spread = max(0, min(jitter, 0.5))
        return interval * (1 - spread + 2 * spread * min(max(random, 0), 1))
    }

    /// `date`, or the start of the first hour after it that the feed's `skipHours` and
    /// `skipDays` (in GMT, as RSS defines them) allow.
    static func skipping(_ date: Date, _ schedule: FeedSchedule) -> Date {
        guard !schedule.skipHours.isEmpty || !schedule.skipDays.isEmpty else { return date }
        // Every hour skipped: the hints contradict themselves; ignore them.
        guard schedule.skipHours.count < 24, schedule.skipDays.count < 7 else { return date }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        var candidate = date
        for _ in 0..<(24 * 8) {
            let parts = calendar.dateComponents([.hour, .weekday], from: candidate)
            let skipped =
                schedule.skipHours.contains(parts.hour ?? -1) || schedule.skipDays.contains(parts.weekday ?? -1)
            if !skipped { return candidate }
            let hourStart = floor(candidate.timeIntervalSince1970 / 3600) * 3600
            candidate = Date(timeIntervalSince1970: hourStart + 3600)
        }
        return date
    }
}

extension PollOutcome {
    /// A stable key of one feed entry: its link, else its id, else its title (FNV-1a 64).
    static func key(_ entry: FeedEntry) -> Int64 {
        let text = entry.link ?? entry.id ?? entry.title ?? ""
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return Int64(bitPattern: value)
    }

    /// How many entries precede the one whose key was first in the previous poll (feeds list
    /// their newest items first); all of them when there was no previous poll or it is gone.
    static func newItems(_ entries: [FeedEntry], after previousKey: Int64?) -> Int {
        guard let previousKey else { return entries.count }
        return entries.firstIndex { Self.key($0) == previousKey } ?? entries.count
    }
}
