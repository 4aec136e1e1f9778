public import NewswireCore

public import struct Foundation.Date

/// Options of the dedup stage (the pipeline file's `dedup:` key, plus tuning).
public struct DedupOptions: Sendable, Hashable {
    /// What happens to a duplicate.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// Emitted with `duplicate_of` set (the default).
        case annotate
        /// Not emitted.
        case drop
    }

    /// What happens to duplicates (the pipeline file's `dedup.mode`).
    public var mode: Mode = .annotate
    /// Seen articles are forgotten this many days after they were first seen (or last
    /// updated); `nil` keeps them.
    public var windowDays: Double? = 30
    /// Estimated Jaccard similarity from which an article is a near duplicate of an earlier one.
    public var nearDuplicateThreshold: Double = 0.5
    /// For the same canonical URL: estimated similarity below which changed text is a new
    /// revision; at or above it the change is an immaterial edit and the article is dropped
    /// as already seen.
    public var updateThreshold: Double = 0.9
    /// How text is hashed; changing it invalidates signatures already in a state file.
    public var fingerprint = FingerprintOptions()
    /// How the near-duplicate index finds candidates.
    public var lsh = LSHOptions()

    public init() {}
}

/// What ``Deduplicator/decide(_:)`` did with an article.
public struct DedupDecision: Sendable, Hashable, CustomStringConvertible {
    /// Why.
    public enum Reason: String, Sendable, Hashable {
        /// A story not seen before: emitted with revision 1.
        case new
        /// A known canonical URL with materially changed text: emitted with a higher revision.
        case update
        /// Same normalised text as an earlier article.
        case exactDuplicate = "exact_duplicate"
        /// Similar text (estimated Jaccard similarity at least the threshold).
        case nearDuplicate = "near_duplicate"
        /// A known canonical URL with the same (or immaterially edited) text.
        case seen
    }

    /// Whether the article goes to the sink.
    public var emit: Bool
    /// Why the article was emitted or dropped.
    public var reason: Reason
    /// The id of the original, for duplicates.
    public var duplicateOf: String?
    /// The estimated similarity to the original (1 for exact duplicates and seen articles).
    public var similarity: Double?

    public var description: String {
        "\(self.emit ? "emit" : "drop") \(self.reason.rawValue)" + (self.duplicateOf.map { " of \($0)" } ?? "")
    }
}

/// The dedup stage: decides whether each article is new, an update, a duplicate or already
/// seen, and remembers it durably once the sink has written it.
///
/// Call ``decide(_:)`` for each article in stream order (after the reorder step), write the
/// emitted ones, and after the sink has flushed and synced them call
/// ``markWritten(through:checkpoints:)``: only then are they stored as seen. A crash
/// before that re-delivers them on the next run, and they are decided again the same way;
/// nothing written and marked is ever emitted again.
///
/// Confined to one serial queue (the pipeline's dedup queue): not thread-safe. It is
/// `@unchecked Sendable` only so that queue's closures may capture it.
public final class Deduplicator: @unchecked Sendable {
    /// The options the stage was created with.
    public let options: DedupOptions
    private let store: (any DedupStore)?
    private let canonicalizer = URLCanonicalizer()
    private let fingerprinter: TextFingerprinter
    private var index: DedupIndex
    private let now: @Sendable () -> Date
    /// Decisions not yet stored, in stream order: a new or changed article, or an article
    /// seen again (`seenAgain` set: only its time seen moves).
    private var pending: [(sequence: SequenceNumber, article: SeenArticle?, seenAgain: (id: String, at: Date)?)] = []
    /// Ids of item links followed whose canonical URL is not an article's own.
    private var links: Set<UInt64> = []
    /// Links noted and not yet stored, in stream order.
    private var pendingLinks: [(sequence: SequenceNumber, id: String, at: Date)] = []

    /// Loads the seen articles of the window from `store` (evicting older ones first) and
    /// builds the in-memory index from them.
    /// - Parameters:
    ///   - store: Where seen articles are kept; `nil` remembers them for this run only.
    ///   - options: Mode, window and tuning.
    ///   - now: The clock (seen times and eviction).
    /// - Throws: What the store throws.
    public init(
        store: (any DedupStore)?,
        options: DedupOptions = DedupOptions(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        self.options = options
        self.store = store
        self.now = now
        self.fingerprinter = TextFingerprinter(options: options.fingerprint)
        self.index = DedupIndex(signatureBytes: options.fingerprint.signatureBytes, lsh: options.lsh)
        guard let store else { return }
        var since = Date.distantPast
        if let days = options.windowDays {
            since = now().addingTimeInterval(-days * 86_400)
            _ = try store.evictSeenArticles(seenBefore: since)
        }
        for link in try store.loadSeenLinks(seenSince: since) {
            self.links.insert(StableHash.value(hex: link) ?? StableHash.fnv1a(link))
        }
        let seen = try store.loadSeenArticles(seenSince: since)
        self.index.reserve(seen.count + seen.count / 4)
        for article in seen {
            self.index.append(
                id: StableHash.value(hex: article.id) ?? StableHash.fnv1a(article.id),
                contentHash: article.contentHash,
                signature: article.signature,
                hasText: article.hasText,
                isOriginal: article.duplicateOf == nil,
                revision: article.revision
            )
        }
    }

    /// Takes in articles that other workers stored in a shared store (read with
    /// ``SharedDedupStore/seenArticles(after:limit:)``), so later decisions compare with
    /// them: an unknown id joins the index, a known one takes the stored text when its
    /// revision is newer. The worker's own articles come back too and change nothing.
    /// - Returns: How many articles joined or changed the index.
    @discardableResult
    public func absorb(_ articles: [SeenArticle]) -> Int {
        var changed = 0
        for article in articles {
            let idValue = StableHash.value(hex: article.id) ?? StableHash.fnv1a(article.id)
            if let position = self.index.position(ofID: idValue) {
                guard article.revision > self.index.revision(at: position) else { continue }
                self.index.replaceText(
                    at: position,
                    contentHash: article.contentHash,
                    signature: article.signature,
                    hasText: article.hasText,
                    revision: article.revision
                )
            } else {
                self.index.append(
                    id: idValue,
                    contentHash: article.contentHash,
                    signature: article.signature,
                    hasText: article.hasText,
                    isOriginal: article.duplicateOf == nil,
                    revision: article.revision
                )
            }
            changed += 1
        }
        return changed
    }

    /// Articles in the in-memory index (seen before plus decided in this run).
    public var indexedCount: Int { self.index.count }

    /// Bytes held by the in-memory index.
    public var indexMemoryBytes: Int { self.index.memoryBytes }

    /// Decisions not yet marked written.
    public var pendingCount: Int { self.pending.count + self.pendingLinks.count }

    /// Whether the page behind `link` (an item's link, any spelling of the URL) has been
    /// decided before: its canonical URL is a seen article's, or a link followed earlier.
    public func hasSeen(link: String) -> Bool {
        let id = ArticleIdentity.id(forCanonicalURL: self.canonicalizer.canonicalize(link))
        let value = StableHash.value(hex: id) ?? StableHash.fnv1a(id)
        return self.links.contains(value) || self.index.position(ofID: value) != nil
    }

    /// Remembers that `link` was followed for the article at `sequence` (after its decision),
    /// so a later run does not fetch it again even when the page's canonical URL differs.
    public func noteFollowed(link: String, at sequence: SequenceNumber) {
        let id = ArticleIdentity.id(forCanonicalURL: self.canonicalizer.canonicalize(link))
        let value = StableHash.value(hex: id) ?? StableHash.fnv1a(id)
        guard self.index.position(ofID: value) == nil, self.links.insert(value).inserted, self.store != nil else {
            return
        }
        self.pendingLinks.append((sequence, id, self.now()))
    }

    /// Decides what to do with `article`, and fills its `url` (canonicalised), `id`,
    /// `fingerprint`, `revision` and `duplicateOf`.
    ///
    /// Deterministic: the same state and the same articles in the same order give the same
    /// decisions. The decision takes effect in memory at once (later articles are compared
    /// with this one) and durably at the next ``markWritten(through:checkpoints:)`` covering
    /// its sequence number.
    public func decide(_ article: inout Article) -> DedupDecision {
        self.decide(&article, fingerprint: nil)
    }

    /// ``decide(_:)`` with the text's fingerprint already taken (on a concurrent queue, by a
    /// ``TextFingerprinter`` with the same options), so the serial dedup queue does not hash text.
    public func decide(_ article: inout Article, fingerprint precomputed: TextFingerprint?) -> DedupDecision {
        let fingerprint = precomputed ?? self.fingerprinter.fingerprint(article.text)
        return self.decide(&article, prepared: Self.prepare(&article, fingerprint: fingerprint))
    }

    /// An article's identity and fingerprint, as ``prepare(_:fingerprint:)`` left them.
    public struct Prepared: Sendable {
        fileprivate let fingerprint: TextFingerprint
        fileprivate let idValue: UInt64
    }

    /// The part of deciding that needs no index, for any thread (the engine's concurrent
    /// queue): canonicalizes the article's URL, and sets its id and its fingerprint's hex.
    /// - Parameter fingerprint: The text's fingerprint, by a ``TextFingerprinter`` with this
    ///   deduplicator's options.
    public static func prepare(_ article: inout Article, fingerprint: TextFingerprint) -> Prepared {
        article.url = URLCanonicalizer().canonicalize(article.url)
        let id = ArticleIdentity.id(forCanonicalURL: article.url)
        article.id = id
        article.fingerprint = fingerprint.hex
        return Prepared(fingerprint: fingerprint, idValue: StableHash.value(hex: id) ?? StableHash.fnv1a(id))
    }

    /// ``decide(_:)`` for an article that ``prepare(_:fingerprint:)`` prepared, unchanged since.
    public func decide(_ article: inout Article, prepared: Prepared) -> DedupDecision {
        let fingerprint = prepared.fingerprint
        let idValue = prepared.idValue
        // Consent walls, paywalls and error pages of one site share their text; only article
        // text says anything about the story.
        let hasText = fingerprint.wordCount > 0 && article.pageStatus == .article

        if let position = self.index.position(ofID: idValue) {
            return self.decideKnownURL(&article, at: position, fingerprint: fingerprint, hasText: hasText)
        }

        var reason = DedupDecision.Reason.new
        var original: Int?
        var similarity: Double?
        if hasText && !fingerprint.signature.isEmpty {
            if let match = self.index.nearestOriginal(
                to: fingerprint.signature,
                contentHash: fingerprint.contentHash,
                threshold: self.options.nearDuplicateThreshold
            ) {
                reason = match.exact ? .exactDuplicate : .nearDuplicate
                (original, similarity) = (match.position, match.similarity)
            }
        } else if hasText, let position = self.index.original(withContentHash: fingerprint.contentHash) {
            (reason, original, similarity) = (.exactDuplicate, position, 1)
        }
        let duplicateOf = original.map { StableHash.hex(self.index.id(at: $0)) }
        article.duplicateOf = duplicateOf
        article.revision = 1
        self.index.append(
            id: idValue,
            contentHash: fingerprint.contentHash,
            signature: fingerprint.signature,
            hasText: hasText,
            isOriginal: original == nil
        )
        self.remember(article, fingerprint: fingerprint, hasText: hasText, revision: 1, duplicateOf: duplicateOf)
        let emit = original == nil || self.options.mode == .annotate
        return DedupDecision(emit: emit, reason: reason, duplicateOf: duplicateOf, similarity: similarity)
    }

    private func decideKnownURL(
        _ article: inout Article,
        at position: Int,
        fingerprint: TextFingerprint,
        hasText: Bool
    ) -> DedupDecision {
        let revision = self.index.revision(at: position)
        var similarity = 1.0
        if UInt32(truncatingIfNeeded: fingerprint.contentHash) != self.index.contentHash(at: position) {
            similarity = TextFingerprinter.similarity(fingerprint.signature, self.index.signature(at: position))
        }
        if similarity >= self.options.updateThreshold {
            article.revision = revision
            article.duplicateOf = nil
            // Still announced: keep it from being evicted while feeds keep listing it.
            if self.store != nil { self.pending.append((article.sequence, nil, (article.id ?? "", self.now()))) }
            return DedupDecision(emit: false, reason: .seen, duplicateOf: nil, similarity: similarity)
        }
        article.revision = revision + 1
        article.duplicateOf = nil
        self.index.replaceText(
            at: position,
            contentHash: fingerprint.contentHash,
            signature: fingerprint.signature,
            hasText: hasText,
            revision: revision + 1
        )
        self.remember(article, fingerprint: fingerprint, hasText: hasText, revision: revision + 1, duplicateOf: nil)
        return DedupDecision(emit: true, reason: .update, duplicateOf: nil, similarity: similarity)
    }

    private func remember(
        _ article: Article,
        fingerprint: TextFingerprint,
        hasText: Bool,
        revision: Int,
        duplicateOf: String?
    ) {
        // Without a store nothing is ever saved: keep nothing, so memory stays flat.
        guard self.store != nil else { return }
        let seen = SeenArticle(
            id: article.id ?? "",
            url: article.url,
            contentHash: fingerprint.contentHash,
            signature: fingerprint.signature,
            hasText: hasText,
            revision: revision,
            duplicateOf: duplicateOf,
            seenAt: self.now()
        )
        self.pending.append((article.sequence, seen, nil))
    }

    /// Stores as seen every decided article with a sequence number up to `sequence`, and
    /// `checkpoints`, in one transaction.
    ///
    /// Call it only after the sink has durably written (flushed and synced) every emitted
    /// article up to `sequence`. Dropped articles are stored with them, in stream order.
    /// - Throws: What the store throws; the articles then stay pending.
    public func markWritten(through sequence: SequenceNumber, checkpoints: [String: String] = [:]) throws {
        try self.markWritten(through: sequence, with: StateCommit(checkpoints: checkpoints))
    }

    /// Stores as seen every decided article and noted link with a sequence number up to
    /// `sequence`, together with what `extra` carries (feed states, checkpoints), in one
    /// transaction. Call it only after the sink has durably written everything up to `sequence`.
    /// - Throws: What the store throws; the articles then stay pending.
    public func markWritten(through sequence: SequenceNumber, with extra: StateCommit) throws {
        let count = self.pending.prefix { $0.sequence <= sequence }.count
        let linkCount = self.pendingLinks.prefix { $0.sequence <= sequence }.count
        try self.save(self.pending.prefix(count), links: self.pendingLinks.prefix(linkCount), extra: extra)
        self.pending.removeFirst(count)
        self.pendingLinks.removeFirst(linkCount)
    }

    /// What ``markWritten(through:with:)`` would store, taken out of the pending decisions
    /// for the caller to store itself (on another thread, in the order taken). Call it only
    /// after the sink has durably written everything up to `sequence`; if storing fails, the
    /// run must stop writing, as these decisions are no longer pending.
    /// - Returns: The commit; `nil` without a store or when there is nothing to store.
    public func takeWritten(through sequence: SequenceNumber, with extra: StateCommit) -> StateCommit? {
        let count = self.pending.prefix { $0.sequence <= sequence }.count
        let linkCount = self.pendingLinks.prefix { $0.sequence <= sequence }.count
        let commit = self.commit(
            of: self.pending.prefix(count),
            links: self.pendingLinks.prefix(linkCount),
            extra: extra
        )
        self.pending.removeFirst(count)
        self.pendingLinks.removeFirst(linkCount)
        return self.store == nil || commit.isEmpty ? nil : commit
    }

    /// Stores every pending decision as seen (see ``markWritten(through:checkpoints:)``).
    /// - Throws: What the store throws.
    public func markAllWritten(checkpoints: [String: String] = [:]) throws {
        try self.save(self.pending[...], links: self.pendingLinks[...], extra: StateCommit(checkpoints: checkpoints))
        self.pending.removeAll()
        self.pendingLinks.removeAll()
    }

    private func save(
        _ changes: ArraySlice<(sequence: SequenceNumber, article: SeenArticle?, seenAgain: (id: String, at: Date)?)>,
        links: ArraySlice<(sequence: SequenceNumber, id: String, at: Date)>,
        extra: StateCommit
    ) throws {
        guard let store = self.store else { return }
        let commit = self.commit(of: changes, links: links, extra: extra)
        guard !commit.isEmpty else { return }
        try store.commit(commit)
    }

    private func commit(
        of changes: ArraySlice<(sequence: SequenceNumber, article: SeenArticle?, seenAgain: (id: String, at: Date)?)>,
        links: ArraySlice<(sequence: SequenceNumber, id: String, at: Date)>,
        extra: StateCommit
    ) -> StateCommit {
        var commit = extra
        for change in changes {
            if let article = change.article { commit.articles.append(article) }
            if let again = change.seenAgain { commit.seenAgain[again.id] = again.at }
        }
        for link in links { commit.links[link.id] = link.at }
        return commit
    }
}

extension Deduplicator {
    /// Exposes the fingerprinter for benchmarks and tests.
    package var textFingerprinter: TextFingerprinter { self.fingerprinter }
}
