public import Foundation
public import NewswireCore
public import NewswireMarkup

extension Stage {
    /// Reading a sitemap (fetch failures keep the `fetch` stage).
    public static let sitemap = Stage(rawValue: "sitemap")
}

/// How sitemaps are followed.
public struct SitemapOptions: Sendable, Hashable {
    /// Levels of sitemap indexes followed below the first sitemap; deeper ones are refused.
    public var maxDepth = 3
    /// Keep entries on other sites than their sitemap's (the protocol drops them).
    public var anySite = false
    /// Follow an index's children; without it the children are listed as entries.
    public var follow = true
    /// Fetch every sitemap again, ignoring validators and unchanged `lastmod`s.
    public var refetch = false
    public var limits = SitemapLimits()

    public init() {}
}

/// Reads a sitemap and, through an index, its children: fetched with conditional GET from
/// the known ``FeedState``s, a child whose `lastmod` is not newer than its last successful
/// read skipped, loops and excessive depth refused with an error record, entries of other
/// sites dropped. Entries go to the caller as each document is parsed (document order).
///
/// Used by `newswire sitemap` and ``SitemapSource``; blocking, from one thread.
public final class SitemapExpander {
    /// What the expansion hands on.
    public enum Event {
        /// A page (or, with `follow` off, a child sitemap) and the sitemap that listed it.
        case entry(SitemapEntry, sitemap: String)
        /// A sitemap document was read (or found unchanged, or failed): its new state.
        case report(SourceReport)
    }

    private let fetcher: (any DocumentFetching)?
    private let options: SitemapOptions
    private let clock: any NewswireClock
    private let parser: SitemapParser
    /// The sitemaps' states, as given and as updated by this expansion.
    public private(set) var states: [String: FeedState]
    /// Entries dropped because they were on another site than their sitemap.
    public private(set) var dropped = 0
    /// Sitemap documents parsed.
    public private(set) var documents = 0
    private var visiting: [String] = []
    private var done: Set<String> = []

    public init(
        fetcher: (any DocumentFetching)?,
        options: SitemapOptions = SitemapOptions(),
        clock: any NewswireClock = SystemClock(),
        states: [String: FeedState] = [:]
    ) {
        self.fetcher = fetcher
        self.options = options
        self.clock = clock
        self.parser = SitemapParser(limits: options.limits)
        self.states = states
    }

    /// Fetches and reads the sitemap at `url` and, if it is an index, its children.
    public func expand(url: String, each: (Event) -> Void) {
        self.visit(url: url, lastModified: nil, depth: 0, parent: nil, each: each)
    }

    /// Reads the sitemap file at `path`; relative and same-site checks use `base` when given.
    /// Children of an index are fetched from the network.
    public func expand(file path: String, base: String?, each: (Event) -> Void) {
        var children: [SitemapEntry] = []
        let name = base ?? path
        self.visiting.append(Self.key(name))
        defer { self.visiting.removeLast() }
        let summary = self.parser.parseFile(path, base: base) { entry in
            self.take(entry, from: name, checkSite: base != nil, children: &children, each: each)
        }
        self.documents += 1
        if let error = summary.error {
            let record = ErrorRecord(kind: .parse, stage: .sitemap, url: name, message: error, at: self.clock.now())
            each(.report(SourceReport(state: nil, error: record)))
            return
        }
        self.follow(children, depth: 0, parent: name, each: each)
    }

    // MARK: Walk

    private func visit(url: String, lastModified: Date?, depth: Int, parent: String?, each: (Event) -> Void) {
        let now = self.clock.now()
        let key = Self.key(url)
        if self.visiting.contains(key) {
            let record = ErrorRecord(
                kind: .limit,
                stage: .sitemap,
                url: url,
                feed: parent,
                message: "sitemap index loop: \(url) is already being read",
                at: now
            )
            each(.report(SourceReport(state: nil, error: record)))
            return
        }
        // A sitemap listed twice (by two indexes) is read once.
        guard self.done.insert(key).inserted else { return }
        if depth > self.options.maxDepth {
            let record = ErrorRecord(
                kind: .limit,
                stage: .sitemap,
                url: url,
                feed: parent,
                message: "sitemap indexes nested deeper than \(self.options.maxDepth) levels",
                at: now
            )
            each(.report(SourceReport(state: nil, error: record)))
            return
        }
        var state = self.states[url] ?? FeedState(url: url)
        if !self.options.refetch, let lastModified, let success = state.lastSuccessAt, lastModified <= success {
            // Read successfully since its last change: nothing new in it.
            each(.report(SourceReport(state: nil, unchanged: true)))
            return
        }
        guard let fetcher = self.fetcher else { return }
        var request = FetchRequest(url: url)
        if !self.options.refetch {
            request.etag = state.etag
            request.lastModified = state.lastModified
        }
        state.lastAttemptAt = now
        func failed(_ record: ErrorRecord) {
            state.consecutiveFailures += 1
            state.lastError = record.message
            self.states[url] = state
            each(.report(SourceReport(state: state, error: record)))
        }
        let document: FetchedDocument
        switch fetcher.fetch(request) {
        case .failure(let error):
            failed(
                ErrorRecord(
                    kind: error.code.errorKind,
                    stage: .fetch,
                    url: url,
                    feed: parent,
                    message: error.message,
                    attempt: error.attempt,
                    at: now
                )
            )
            return
        case .success(let fetched):
            document = fetched
        }
        if document.status == 304 {
            state.lastSuccessAt = now
            state.consecutiveFailures = 0
            state.lastError = nil
            self.states[url] = state
            each(.report(SourceReport(state: state, unchanged: true)))
            return
        }
        guard (200..<300).contains(document.status) else {
            failed(
                ErrorRecord(
                    kind: .httpStatus,
                    stage: .fetch,
                    url: url,
                    feed: parent,
                    message: "HTTP \(document.status)",
                    attempt: document.attempt,
                    at: now,
                    status: document.status
                )
            )
            return
        }
        // Entries resolve against, and must stay on the site of, the sitemap's own URL.
        let base = document.finalURL.isEmpty ? url : document.finalURL
        var children: [SitemapEntry] = []
        self.visiting.append(key)
        let summary = self.parser.parse(document.body, url: base, contentType: document.contentType) { entry in
            self.take(entry, from: url, checkSite: true, children: &children, each: each)
        }
        self.documents += 1
        if let error = summary.error {
            self.visiting.removeLast()
            failed(ErrorRecord(kind: .parse, stage: .sitemap, url: url, feed: parent, message: error, at: now))
            return
        }
        state.etag = document.headers["ETag"]
        state.lastModified = document.headers["Last-Modified"]
        state.lastSuccessAt = now
        state.consecutiveFailures = 0
        state.lastError = nil
        if summary.truncated {
            // Read again next time: what lay past the limit was not seen.
            state.etag = nil
            state.lastModified = nil
        }
        self.states[url] = state
        self.follow(children, depth: depth, parent: url, each: each)
        self.visiting.removeLast()
        each(.report(SourceReport(state: state)))
    }

    private func take(
        _ entry: SitemapEntry,
        from sitemap: String,
        checkSite: Bool,
        children: inout [SitemapEntry],
        each: (Event) -> Void
    ) {
        if checkSite && !self.options.anySite && !SitemapParser.isSameSite(entry.url, as: sitemap) {
            self.dropped += 1
            return
        }
        if entry.isSitemap && self.options.follow {
            children.append(entry)
        } else {
            each(.entry(entry, sitemap: sitemap))
        }
    }

    private func follow(_ children: [SitemapEntry], depth: Int, parent: String, each: (Event) -> Void) {
        for child in children {
            self.visit(url: child.url, lastModified: child.lastModified, depth: depth + 1, parent: parent, each: each)
        }
    }

    /// The URL without its fragment: what "the same sitemap" compares.
    private static func key(_ url: String) -> String {
        url.firstIndex(of: "#").map { String(url[..<$0]) } ?? url
    }
}
