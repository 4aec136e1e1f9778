import Foundation
import NewswireArchive
import NewswireCore

/// The replay's source: the archive's captures in capture order, as the engine's work.
///
/// * The pipeline's feeds are replayed at each of their captures; with no feeds listed
///   (`feeds: []`), every feed capture of the archive is.
/// * A page capture that no replayed feed announced (directly or through the archive's
///   redirects) is an article page on its own, so a file of responses alone (a CC-NEWS WARC)
///   is a stream of article pages. Pages that feeds announce are read when their items ask.
/// * `from`/`until` choose captures by time (both inclusive).
///
/// Before it hands out a capture it sets the clock to the capture's time and tells the
/// fetcher which capture the coming request is for. Listed feeds the archive lacks, and
/// damage met in the input, come first, as error records.
final class ReplaySource: WorkSource {
    private let index: ArchiveIndex
    private let fetcher: ArchiveFetcher
    private let clock: CaptureClock
    private let configuration: PipelineConfiguration
    private let listed: [String: PipelineConfiguration.FeedSource]
    private let announced: Set<UInt64>
    private let order: [Int]
    private var position = 0
    private var reports: [ErrorRecord]

    /// The work of `index`: what it replays, decided with a first look at every replayed feed.
    init(
        index: ArchiveIndex,
        store: ArchiveStore,
        fetcher: ArchiveFetcher,
        clock: CaptureClock,
        configuration: PipelineConfiguration,
        parser: any FeedParsing,
        from: Date?,
        until: Date?
    ) {
        self.index = index
        self.fetcher = fetcher
        self.clock = clock
        self.configuration = configuration
        var listed: [String: PipelineConfiguration.FeedSource] = [:]
        for feed in configuration.feeds where listed[feed.url] == nil { listed[feed.url] = feed }
        self.listed = listed
        let inWindow = index.captureOrder().filter { number in
            let date = index.captures[number].date
            return from.map { date >= $0 } ?? true && until.map { date <= $0 } ?? true
        }
        let order = Self.workOrder(inWindow, of: index, feeds: configuration.feeds.map(\.url))
        self.order = order
        // The links every replayed feed announces, and where the archive's redirects take them.
        var announced = Set<UInt64>()
        var replayedFeeds = Set<String>()
        for number in order where Self.isFeed(index.captures[number], listed: listed) {
            replayedFeeds.insert(index.captures[number].url)
            guard case .success(let document) = store.fetch(index.captures[number].url, capture: number, in: index)
            else { continue }
            for entry in parser.parseFeed(document).entries {
                if let link = entry.link { announced.insert(Self.hash(link)) }
            }
        }
        for _ in 0..<ArchiveStore.maxRedirects {
            let before = announced.count
            for capture in index.captures {
                if case .redirect(let target) = capture.kind, announced.contains(Self.hash(capture.url)) {
                    announced.insert(Self.hash(target))
                }
            }
            if announced.count == before { break }
        }
        self.announced = announced
        var reports = index.faults.map { fault in
            ErrorRecord(
                kind: .parse,
                stage: .fetch,
                url: fault.targetURI ?? fault.path,
                message: fault.description,
                at: clock.now()
            )
        }
        for feed in configuration.feeds where !replayedFeeds.contains(feed.url) {
            reports.append(
                ErrorRecord(
                    kind: .notArchived,
                    stage: .fetch,
                    url: feed.url,
                    message: "the archive holds no capture of this feed"
                        + (from != nil || until != nil ? " in the time asked" : ""),
                    at: clock.now()
                )
            )
        }
        self.reports = reports
    }

    /// The order work is handed out in. With feeds listed, the k-th captures of the listed
    /// feeds make round k, which comes at the time of its first capture, its feeds in the
    /// pipeline's order (as the crawl that made them fetched them); everything else comes at
    /// its own capture time. With none listed, capture order.
    private static func workOrder(_ captures: [Int], of index: ArchiveIndex, feeds: [String]) -> [Int] {
        guard !feeds.isEmpty else { return captures }
        var position: [String: Int] = [:]
        for (offset, url) in feeds.enumerated() where position[url] == nil { position[url] = offset }
        var seen: [String: Int] = [:]
        var roundTimes: [Date] = []
        var keys: [(time: Date, place: Int, number: Int)] = []
        keys.reserveCapacity(captures.count)
        for (rank, number) in captures.enumerated() {
            let capture = index.captures[number]
            guard let place = position[capture.url] else {
                keys.append((capture.date, feeds.count + rank, number))
                continue
            }
            let round = seen[capture.url, default: 0]
            seen[capture.url] = round + 1
            if round == roundTimes.count { roundTimes.append(capture.date) }
            keys.append((roundTimes[round], place, number))
        }
        keys.sort { ($0.time, $0.place, $0.number) < ($1.time, $1.place, $1.number) }
        return keys.map(\.number)
    }

    /// The time of the first capture replayed, if any: the clock's start.
    static func firstDate(of index: ArchiveIndex) -> Date? {
        index.captures.map(\.date).min()
    }

    func next() -> WorkItem? {
        if !self.reports.isEmpty {
            return .report(SourceReport(state: nil, error: self.reports.removeFirst()))
        }
        while self.position < self.order.count {
            let number = self.order[self.position]
            self.position += 1
            let capture = self.index.captures[number]
            let work: WorkItem
            if Self.isFeed(capture, listed: self.listed) {
                work = .feed(self.configuration.task(for: self.listed[capture.url] ?? .init(url: capture.url)))
            } else if case .page = capture.kind, !self.announced.contains(Self.hash(capture.url)) {
                work = .page(PageTask(url: capture.url))
            } else {
                continue
            }
            self.clock.set(capture.date)
            self.fetcher.expect(capture.url, capture: number)
            return work
        }
        return nil
    }

    /// Whether `capture` is replayed as a feed: any capture of a listed feed, or with none
    /// listed, every feed document.
    private static func isFeed(
        _ capture: ArchiveIndex.Capture,
        listed: [String: PipelineConfiguration.FeedSource]
    )
        -> Bool
    {
        if !listed.isEmpty { return listed[capture.url] != nil }
        if case .feed = capture.kind { return true }
        return false
    }

    /// FNV-1a of a URL: the announced links are kept as hashes, 8 bytes each.
    private static func hash(_ url: String) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in url.utf8 { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return value
    }
}
