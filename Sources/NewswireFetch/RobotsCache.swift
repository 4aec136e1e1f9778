import NewswireCore

import struct Foundation.Date

/// The `robots.txt` of each origin the fetcher has fetched pages from, with its expiry,
/// and the pages waiting for one that is on its way. Lives on the driver thread only.
///
/// Expiry follows RFC 9309 §2.4: `Cache-Control: max-age` when given, at most 24 hours
/// (and at least a minute, so `max-age=0` does not cost a robots.txt per page). A 4xx
/// answer means no rules (§2.3.1.3); a 5xx answer or an unreachable server means every
/// page is disallowed (§2.3.1.4) until ``unreachableExpiry`` has passed and it is asked again.
/// Times come from the fetcher's clock, so a test can move them on.
final class RobotsCache {
    /// What is known of one origin.
    enum Lookup {
        /// Rules to apply, and why they are what they are (for messages).
        case known(RobotsTxt, note: String)
        /// On its way: the request joined the origin's waiters.
        case pending
        /// Unknown or expired: the caller must fetch it; the request is its first waiter.
        case fetch
    }

    private enum Entry {
        case fetching([Submission])
        case known(RobotsTxt, note: String, expires: Date)
    }

    static let defaultExpiry: Double = 24 * 3600
    static let minimumExpiry: Double = 60
    static let unreachableExpiry: Double = 10 * 60

    private var entries: [String: Entry] = [:]

    /// Looks `origin` up at `now`; a request that must wait is kept as a waiter.
    func lookup(_ origin: String, for submission: Submission, now: Date) -> Lookup {
        switch self.entries[origin] {
        case .known(let rules, let note, let expires) where expires > now:
            return .known(rules, note: note)
        case .fetching(let waiters):
            self.entries[origin] = .fetching(waiters + [submission])
            return .pending
        default:
            self.entries[origin] = .fetching([submission])
            return .fetch
        }
    }

    /// Stores the outcome of fetching `origin`'s robots.txt and returns its rules and the
    /// requests that waited for them (none when the fetch was cancelled).
    func store(
        _ origin: String,
        _ result: Result<FetchedDocument, FetchError>,
        now: Date
    ) -> (rules: RobotsTxt, note: String, waiters: [Submission]) {
        var waiters: [Submission] = []
        if case .fetching(let list) = self.entries[origin] { waiters = list }
        let (rules, note, lifetime) = Self.rules(from: result)
        self.entries[origin] = .known(rules, note: note, expires: now.addingTimeInterval(lifetime))
        return (rules, note, waiters)
    }

    /// Removes the waiters of `origin` (at shutdown) and forgets it.
    func cancel(_ origin: String) -> [Submission] {
        defer { self.entries[origin] = nil }
        if case .fetching(let list) = self.entries[origin] { return list }
        return []
    }

    /// Every origin with waiters (at shutdown).
    var fetchingOrigins: [String] {
        self.entries.compactMap { origin, entry in
            if case .fetching = entry { origin } else { nil }
        }
    }

    /// Forgets expired entries, so memory follows the hosts in use, not every host ever seen.
    func sweep(now: Date) {
        self.entries = self.entries.filter { _, entry in
            if case .known(_, _, let expires) = entry { expires > now } else { true }
        }
    }

    /// Origins remembered (for tests).
    var count: Int { self.entries.count }

    /// The rules an answer gives, a note saying where they come from, and how long they hold.
    static func rules(from result: Result<FetchedDocument, FetchError>) -> (RobotsTxt, String, Double) {
        switch result {
        case .success(let document) where (200..<300).contains(document.status):
            return (RobotsTxt(document.body), "robots.txt", Self.lifetime(document.headers["Cache-Control"]))
        case .success(let document) where (400..<500).contains(document.status):
            return (.allowsEverything, "robots.txt (HTTP \(document.status): no rules)", Self.defaultExpiry)
        case .success(let document):
            return (
                .disallowsEverything, "robots.txt unreachable (HTTP \(document.status))", Self.unreachableExpiry
            )
        case .failure(let error):
            return (
                .disallowsEverything, "robots.txt unreachable (\(error.code): \(error.message))", Self.unreachableExpiry
            )
        }
    }

    /// Seconds a robots.txt holds: `max-age` of `Cache-Control`, within a minute and a day.
    static func lifetime(_ cacheControl: String?) -> Double {
        guard let cacheControl else { return Self.defaultExpiry }
        for directive in cacheControl.lowercased().split(separator: ",") {
            let parts = directive.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " \t\"") }
            if parts.count == 2, parts[0] == "max-age", let seconds = Double(parts[1]) {
                return min(max(seconds, Self.minimumExpiry), Self.defaultExpiry)
            }
        }
        return Self.defaultExpiry
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(self.drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
