import Foundation
import Logging
import NewswireCore
import NewswireDedup
import NewswireSink
import NewswireState

/// The dedup stage of a crawl: a ``Deduplicator`` over the pipeline's state file, and the
/// commit protocol that makes the output exactly-once across crashes.
///
/// After every `commitInterval` written records (and at the end) the stage flushes and syncs
/// the sink, then stores the decisions up to the last released position as seen, together
/// with the byte sizes of the output files, in one SQLite transaction. On start it truncates
/// each output file to the size of its last commit: whatever a killed run wrote after that is
/// cut off, and the articles behind it are re-delivered (they were not marked seen) and
/// written again exactly once. Standard output cannot be truncated: with `output: -` a crash
/// may repeat the records of the last interval.
///
/// Confined to the pipeline's serial sink queue.
final class DedupStage {
    private let deduplicator: Deduplicator
    private let store: StateStore?
    private let files: [String]
    private let logger: Logger
    private let commitInterval: Int
    private var sinceCommit = 0
    private var lastReleased: SequenceNumber?

    /// Opens the state file (if the pipeline names one), rebuilds the dedup index from it and
    /// truncates the output files to their committed sizes. Call before the sink opens them.
    /// - Throws: ``StageError`` (kind `internal`) when the state file cannot be opened or an
    ///   output file cannot be truncated.
    init(configuration: PipelineConfiguration, logger: Logger, commitInterval: Int = 25) throws {
        var options = DedupOptions()
        options.mode = configuration.dedupMode == .drop ? .drop : .annotate
        options.windowDays = Double(configuration.dedupWindowDays)
        self.logger = logger
        self.commitInterval = max(1, commitInterval)
        self.files = [configuration.output, configuration.errorsPath].compactMap { $0 }.filter { $0 != "-" }
        do {
            let store = try configuration.state.map { try StateStore(path: $0) }
            self.store = store
            self.deduplicator = try Deduplicator(store: store, options: options)
            if let store { try Self.restoreOutputFiles(self.files, store: store, logger: logger) }
        } catch let error as StageError {
            throw error
        } catch {
            throw StageError(.internal, "state: \(error)")
        }
        logger.debug(
            "dedup state loaded",
            metadata: ["articles": "\(self.deduplicator.indexedCount)", "state": "\(configuration.state ?? "none")"]
        )
    }

    /// Decides one article (fills `id`, `url`, `fingerprint`, `revision`, `duplicate_of`).
    func decide(_ article: inout Article) -> DedupDecision {
        self.deduplicator.decide(&article)
    }

    /// Notes that everything up to `sequence` has been handed to the sink; commits when the
    /// interval is full.
    /// - Throws: What flushing the sink or the state store throws.
    func released(through sequence: SequenceNumber, records: Int, sink: NDJSONSink) throws {
        self.lastReleased = sequence
        self.sinceCommit += records
        if self.sinceCommit >= self.commitInterval { try self.commit(sink: sink) }
    }

    /// Flushes and syncs the sink, then stores the decisions up to the last released position
    /// and the output files' sizes in one transaction.
    /// - Throws: What flushing the sink or the state store throws.
    func commit(sink: NDJSONSink) throws {
        try sink.flush()
        guard let sequence = self.lastReleased else { return }
        var checkpoints: [String: String] = [:]
        for file in self.files { checkpoints[Self.checkpointName(file)] = String(Self.size(of: file) ?? 0) }
        try self.deduplicator.markWritten(through: sequence, checkpoints: self.store == nil ? [:] : checkpoints)
        self.sinceCommit = 0
    }

    private static func checkpointName(_ file: String) -> String {
        "sink.bytes:" + URL(fileURLWithPath: file).standardizedFileURL.path
    }

    private static func size(of file: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.intValue
    }

    /// Cuts each file back to its committed size; a file without a checkpoint gets one at its
    /// current size (what earlier runs without this state wrote is kept).
    private static func restoreOutputFiles(_ files: [String], store: StateStore, logger: Logger) throws {
        var baselines: [String: String] = [:]
        for file in files {
            let name = Self.checkpointName(file)
            let current = Self.size(of: file) ?? 0
            guard let committed = try store.checkpoint(named: name).flatMap({ Int($0) }) else {
                baselines[name] = String(current)
                continue
            }
            guard current > committed else { continue }
            guard truncate(file, off_t(committed)) == 0 else {
                throw StageError(.internal, "cannot truncate \(file): \(String(cString: strerror(errno)))")
            }
            logger.info(
                "uncommitted output removed",
                metadata: ["file": "\(file)", "bytes": "\(current - committed)"]
            )
        }
        if !baselines.isEmpty { try store.saveSeenArticles([], checkpoints: baselines) }
    }
}

@available(*, unavailable)
extension DedupStage: Sendable {}
