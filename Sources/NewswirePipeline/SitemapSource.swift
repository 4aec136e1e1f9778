public import Foundation
public import NewswireCore
import NewswireMarkup

/// A crawl's sitemaps as a source: each sitemap (and, through an index, its children) is
/// fetched and read when the engine asks for work, and its entries become page tasks.
///
/// Entries of one sitemap come newest first (by publication date, else `lastmod`; undated
/// ones last, in document order) or in document order; a URL listed twice in a run is
/// yielded once. With a recent window, entries dated before it (and undated ones) are left
/// out; with a cap, at most that many pages are yielded per run. Each sitemap document's
/// state (validators, health) follows its pages as a ``SourceReport``, so it is stored only
/// once they are written; pages an earlier run decided are skipped by the engine.
public final class SitemapSource: WorkSource {
    /// How entries are chosen and ordered.
    public struct Options: Sendable, Hashable {
        public enum Order: String, Sendable, Hashable, CaseIterable {
            case newest
            case document
        }

        public var order = Order.newest
        /// Only entries dated within this many seconds before now.
        public var recentSeconds: Double?
        /// At most this many pages per run, over all sitemaps.
        public var maxEntries: Int?
        public var sitemap = SitemapOptions()

        public init() {}

        /// The body limit for fetching sitemaps: their size limit after decompression.
        public var maxBodyBytes: Int { self.sitemap.limits.maxBytes }
    }

    private let sitemaps: [String]
    private let options: Options
    private let clock: any NewswireClock
    private let expander: SitemapExpander
    private var position = 0
    private var pending: [WorkItem] = []
    private var pendingIndex = 0
    private var yielded: Set<String> = []
    private var pages = 0

    /// - Parameters:
    ///   - states: the stored states (the sitemaps' validators and last reads).
    public init(
        sitemaps: [String],
        fetcher: any DocumentFetching,
        states: [String: FeedState] = [:],
        clock: any NewswireClock = SystemClock(),
        options: Options = Options()
    ) {
        self.sitemaps = sitemaps
        self.options = options
        self.clock = clock
        self.expander = SitemapExpander(fetcher: fetcher, options: options.sitemap, clock: clock, states: states)
    }

    /// Entries dropped because they were on another site than their sitemap.
    public var dropped: Int { self.expander.dropped }

    public func next() -> WorkItem? {
        while self.pendingIndex >= self.pending.count {
            guard self.position < self.sitemaps.count else { return nil }
            self.pending = self.read(self.sitemaps[self.position])
            self.pendingIndex = 0
            self.position += 1
        }
        defer { self.pendingIndex += 1 }
        return self.pending[self.pendingIndex]
    }

    private func read(_ url: String) -> [WorkItem] {
        var entries: [(entry: SitemapEntry, sitemap: String)] = []
        var reports: [WorkItem] = []
        let oldest = self.options.recentSeconds.map { self.clock.now().addingTimeInterval(-$0) }
        self.expander.expand(url: url) { event in
            switch event {
            case .entry(let entry, let sitemap):
                if let oldest {
                    guard let date = entry.published ?? entry.lastModified, date >= oldest else { return }
                }
                entries.append((entry, sitemap))
            case .report(let report):
                reports.append(.report(report))
            }
        }
        if self.options.order == .newest {
            // A stable sort: equal dates (and undated entries) keep their document order.
            entries = entries.enumerated().sorted { lhs, rhs in
                let left = lhs.element.entry.published ?? lhs.element.entry.lastModified
                let right = rhs.element.entry.published ?? rhs.element.entry.lastModified
                switch (left, right) {
                case (let left?, let right?) where left != right: return left > right
                case (.some, nil): return true
                case (nil, .some): return false
                default: return lhs.offset < rhs.offset
                }
            }.map(\.element)
        }
        var work: [WorkItem] = []
        var capped = false
        for (entry, sitemap) in entries {
            if let cap = self.options.maxEntries, self.pages >= cap {
                capped = true
                break
            }
            guard self.yielded.insert(entry.url).inserted else { continue }
            self.pages += 1
            work.append(
                .page(
                    PageTask(
                        url: entry.url,
                        source: sitemap,
                        title: entry.title,
                        published: entry.published,
                        language: entry.language
                    )
                )
            )
        }
        if capped {
            // Entries past the cap wait for the next run: keep no validator or last read that
            // would let it skip these sitemaps as unchanged.
            reports = reports.map { work in
                guard case .report(var report) = work, var state = report.state else { return work }
                state.etag = nil
                state.lastModified = nil
                state.lastSuccessAt = nil
                report.state = state
                return .report(report)
            }
        }
        return work + reports
    }
}
