import Foundation
import Logging
import NewswireCore
import NewswireDedup
import NewswireMarkup

/// The CPU work of the engine on one feed or one page, as plain functions of their inputs:
/// no queues, no state, so tests can call them directly.
///
/// Every time it stamps comes from `clock.now(after:)` with the time of the work it follows
/// (the feed's request, the page's fetch): the wall clock in a crawl, the capture time in a
/// replay, whatever thread gets to the work first.
struct ItemProcessor: Sendable {
    let stages: PipelineStages
    let clock: any NewswireClock
    /// Fingerprints texts here, on the concurrent queues, with the dedup stage's options.
    let fingerprinter: TextFingerprinter
    let assembler = ArticleAssembler()

    /// Parses a fetched feed into its items and reports the feed's new state.
    func parseFeed(
        _ task: FeedTask,
        place: Int,
        previous: FeedState?,
        requestedAt: Date,
        _ result: Result<FetchedDocument, FetchError>
    ) -> (report: FeedReport, items: [FeedItem], fetchedAt: Date) {
        let now = self.clock.now(after: requestedAt)
        var state = previous ?? FeedState(url: task.url)
        state.lastAttemptAt = now
        func failed(_ record: ErrorRecord, _ poll: PollOutcome) -> (FeedReport, [FeedItem], Date) {
            state.consecutiveFailures += 1
            state.lastError = record.message
            return (FeedReport(result: .failed, items: 0, error: record, state: state, poll: poll), [], now)
        }
        let document: FetchedDocument
        switch result {
        case .failure(let error):
            state.lastStatus = nil
            return failed(
                ErrorRecord(
                    kind: error.code.errorKind,
                    stage: .fetch,
                    url: task.url,
                    message: error.message,
                    attempt: error.attempt,
                    at: now
                ),
                PollOutcome(result: .failed, at: now)
            )
        case .success(let fetched):
            document = fetched
        }
        state.lastStatus = document.status
        // A feed that moved for good is polled at its new address from now on.
        if document.movedPermanently, (200..<300).contains(document.status) || document.status == 304 {
            state.location = document.finalURL
        }
        if document.status == 304 {
            state.lastSuccessAt = now
            state.consecutiveFailures = 0
            state.lastError = nil
            state.goneAt = nil
            return (
                FeedReport(
                    result: .unchanged,
                    items: 0,
                    error: nil,
                    state: state,
                    poll: PollOutcome(result: .unchanged, document: document, at: now)
                ), [], document.fetchedAt
            )
        }
        guard (200..<300).contains(document.status) else {
            let gone = document.status == 410
            if gone, state.goneAt == nil { state.goneAt = now }
            return failed(
                ErrorRecord(
                    kind: .httpStatus,
                    stage: .fetch,
                    url: task.url,
                    message: gone
                        ? "HTTP 410 Gone: the publisher has removed this feed; it is now polled at the longest interval"
                        : "HTTP \(document.status)",
                    attempt: document.attempt,
                    at: now,
                    status: document.status
                ),
                PollOutcome(result: gone ? .gone : .failed, document: document, at: now)
            )
        }
        let parsed = self.stages.feedParser.parseFeed(document)
        if parsed.entries.isEmpty, let message = parsed.error {
            return failed(
                ErrorRecord(kind: .parse, stage: .feed, url: task.url, message: message, at: now),
                PollOutcome(result: .failed, document: document, at: now)
            )
        }
        state.etag = document.headers["ETag"]
        state.lastModified = document.headers["Last-Modified"]
        state.lastSuccessAt = now
        state.consecutiveFailures = 0
        state.lastError = nil
        state.goneAt = nil
        // The feed's own title; the name the pipeline gave it when the feed has none.
        let title = parsed.metadata.title ?? task.name
        let items = parsed.entries.enumerated().map { offset, entry in
            FeedItem(
                sequence: SequenceNumber(round: task.round, feed: place, item: offset + 1),
                feedURL: task.url,
                feedTitle: title,
                entry: entry
            )
        }
        var poll = PollOutcome(
            result: .changed(newItems: PollOutcome.newItems(parsed.entries, after: previous?.lastItemKey)),
            document: document,
            at: now
        )
        poll.schedule = parsed.metadata.schedule
        poll.itemDates = parsed.entries.compactMap { $0.published ?? $0.updated }
        if case .changed(let fresh) = poll.result, fresh > 0 { state.lastNewItemAt = now }
        state.lastItemKey = parsed.entries.first.map(PollOutcome.key) ?? state.lastItemKey
        // A feed read only in part because a budget ran out keeps its items, with a `limit` record.
        var limit = parsed.limitRecord(feedURL: task.url)
        limit?.at = now
        return (
            FeedReport(result: .parsed, items: items.count, error: limit, state: state, poll: poll), items,
            document.fetchedAt
        )
    }

    /// The items of a parsed feed that its `since`, `max_items` and pre-fetch `keep`/`drop`
    /// rules leave in (the others are `filtered`).
    func admitted(_ items: [FeedItem], settings: FeedSettings, fetchedAt: Date) -> [Bool] {
        var admitted = [Bool](repeating: true, count: items.count)
        if let since = settings.since {
            let cutoff = since.cutoff(now: self.clock.now(after: fetchedAt))
            for (index, item) in items.enumerated() {
                if let date = item.entry.published ?? item.entry.updated, date < cutoff { admitted[index] = false }
            }
        }
        if !settings.filter.isEmpty {
            // Only the fields some rule names are made, each once per item.
            let filter = settings.filter
            let judged = ItemFilter.Field.allCases.filter { filter.keep[$0] != nil || filter.drop[$0] != nil }
            let title = judged.contains(.title)
            let url = judged.contains(.url)
            let categories = judged.contains(.categories)
            for (index, item) in items.enumerated() where admitted[index] {
                let values = ItemFilter.Values(
                    title: title ? item.entry.title.map(Self.plainTitle) : nil,
                    url: url ? item.entry.link ?? ArticleAssembler.itemURL(item) : nil,
                    categories: categories ? item.entry.categories.map(\.term) : nil
                )
                if filter.rejection(values, fields: judged) != nil { admitted[index] = false }
            }
        }
        if let limit = settings.maxItems {
            // The newest `limit` items by date; undated items rank by their place in the feed.
            let ranked = items.indices.filter { admitted[$0] }.sorted { left, right in
                let a = items[left].entry.published ?? items[left].entry.updated
                let b = items[right].entry.published ?? items[right].entry.updated
                switch (a, b) {
                case (let a?, let b?) where a != b: return a > b
                case (.some, nil): return true
                case (nil, .some): return false
                default: return left < right
                }
            }
            for index in ranked.dropFirst(limit) { admitted[index] = false }
        }
        return admitted
    }

    /// A feed item's title as plain text: the title itself when it holds no markup, entity or
    /// white space to collapse (most titles: no copy, no libxml2), else ``HTMLText``'s reading.
    static func plainTitle(_ title: String) -> String {
        var afterSpace = true
        for byte in title.utf8 {
            switch byte {
            // `<`, `&`, tab, line feed, form feed, carriage return, and the second byte of
            // U+00A0 (or of another character ending in 0xA0: HTMLText then decides).
            case 0x3C, 0x26, 0x09, 0x0A, 0x0C, 0x0D, 0xA0: return HTMLText.plainText(fromFragment: title)
            case 0x20:
                if afterSpace { return HTMLText.plainText(fromFragment: title) }
                afterSpace = true
            default:
                afterSpace = false
            }
        }
        return afterSpace ? HTMLText.plainText(fromFragment: title) : title
    }

    /// Whether the finished article passes the feed's `keep`/`drop` rules on `fields` (every
    /// field for a page, whose title and URL may differ from the item's; only language and
    /// text for an article made from the feed, whose other fields were judged at admission).
    private func passes(
        _ article: Article,
        settings: FeedSettings,
        fields: [ItemFilter.Field] = ItemFilter.Field.allCases
    ) -> Bool {
        guard !settings.filter.isEmpty else { return true }
        let values = ItemFilter.Values(
            title: article.title ?? "",
            url: article.url,
            categories: article.categories,
            language: article.language ?? "",
            text: article.text
        )
        return settings.filter.rejection(values, fields: fields) == nil
    }

    /// The article of an item built from the feed alone.
    func articleFromFeed(_ item: FeedItem, fetchedAt: Date, settings: FeedSettings = FeedSettings()) -> Outcome {
        var (article, warnings) = self.assembler.assembleFromFeed(
            item: item,
            fetchedAt: fetchedAt,
            now: self.clock.now(after: fetchedAt)
        )
        guard self.passes(article, settings: settings, fields: [.language, .text]) else { return .filtered }
        article.feedTags = settings.tags
        let prepared = self.finish(&article)
        // No link was followed: the article's URL is the item's own.
        return .article(article, link: nil, warnings: warnings, prepared: prepared)
    }

    /// Checks, extracts and assembles one fetched page (`link` of `item`, or a page task's
    /// URL), asked for by work done at `requestedAt` (the feed's fetch, the page task's turn).
    func processPage(
        _ item: FeedItem?,
        link: String,
        source: String?,
        settings: FeedSettings = FeedSettings(),
        evidence: PageTask? = nil,
        requestedAt: Date,
        _ result: Result<FetchedDocument, FetchError>
    ) -> Outcome {
        let feed = item?.feedURL ?? source
        let now = self.clock.now(after: (try? result.get())?.fetchedAt ?? requestedAt)
        let document: FetchedDocument
        switch result {
        case .failure(let error):
            return .failure(
                ErrorRecord(
                    kind: error.code.errorKind,
                    stage: .page,
                    url: link,
                    feed: feed,
                    message: error.message,
                    attempt: error.attempt,
                    at: now
                )
            )
        case .success(let fetched):
            document = fetched
        }
        guard (200..<300).contains(document.status) else {
            return .failure(
                ErrorRecord(
                    kind: .httpStatus,
                    stage: .page,
                    url: link,
                    feed: feed,
                    message: "HTTP \(document.status)",
                    attempt: document.attempt,
                    at: now,
                    status: document.status
                )
            )
        }
        if let reason = ContentCheck.unsupportedReason(document) {
            return .failure(
                ErrorRecord(kind: .unsupportedContent, stage: .page, url: link, feed: feed, message: reason, at: now)
            )
        }
        let page: ExtractedPage
        do {
            page = try self.stages.extractor.extractArticle(from: document)
        } catch let error as StageError {
            return .failure(
                ErrorRecord(kind: error.kind, stage: .extract, url: link, feed: feed, message: error.message, at: now)
            )
        } catch {
            return .failure(
                ErrorRecord(kind: .internal, stage: .extract, url: link, feed: feed, message: "\(error)", at: now)
            )
        }
        var article: Article
        var warnings: [String]
        if let item {
            (article, warnings) = self.assembler.assemble(item: item, document: document, page: page, now: now)
        } else {
            // A sitemap's title and date fill the gaps of the page, as a feed item's do.
            var entry = FeedEntry()
            entry.title = evidence?.title
            entry.published = evidence?.published
            (article, warnings) = self.assembler.assemble(document: document, page: page, now: now, evidence: entry)
            article.feed = source
            if article.language == nil { article.language = evidence?.language }
        }
        guard self.passes(article, settings: settings) else { return .filtered }
        article.feedTags = settings.tags
        let prepared = self.finish(&article)
        return .article(article, link: link, warnings: warnings, prepared: prepared)
    }

    /// Fingerprints the text, counts its words, tags entities (when the pipeline does) and
    /// takes the article's canonical URL and id, here on the concurrent queue.
    private func finish(_ article: inout Article) -> Deduplicator.Prepared {
        let fingerprint = self.fingerprinter.fingerprint(article.text)
        // On ASCII text the fingerprint's words are the record's words (runs of letters and
        // digits): its count saves a second pass.
        article.countedWords = fingerprint.isASCII ? fingerprint.wordCount : article.countWords()
        if let entities = self.stages.entities {
            article.entities = entities.extractEntities(title: article.title, text: article.text)
        }
        return Deduplicator.prepare(&article, fingerprint: fingerprint)
    }
}
