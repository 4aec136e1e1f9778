public import Foundation
public import NewswireCore

/// Writes articles as NDJSON to files rotated by size or time (`output_rotate`), each
/// closed file renamed into place atomically; error records beside them.
///
/// Articles go to a ``RotatingLineWriter``. Error records go to their own rotating writer
/// (the default for a rotated output: the same pattern with `.errors.ndjson`, see
/// ``OutputPattern/errorsPattern``), to a plain ``LineWriter`` (`errors: -` or a fixed
/// file), or only to the `onError` callback. The checkpoint covers rotation: see
/// ``RotatingLineWriter`` for what a crash at each step leaves.
///
/// Confined to one serial queue (the sink stage's); not thread-safe. The engine must store
/// each checkpoint ``commit()`` returns before it calls the sink again; call ``close()``
/// at a clean shutdown, after the last checkpoint is stored, to close the open files.
public final class RotatingNDJSONSink: RecordSink {
    /// Where error records go.
    public enum Errors {
        /// Only to the callback.
        case none
        /// To one file or stream (checkpointed as ``NDJSONSink`` does).
        case lines(LineWriter)
        /// To their own rotated files.
        case rotated(RotatingLineWriter)
    }

    private let articles: RotatingLineWriter
    private let errors: Errors
    private let onError: (ErrorRecord) -> Void
    /// Notes from ``recover(from:)`` (what was cut off, closed or resumed), for the log.
    public private(set) var recoveryNotes: [String] = []

    /// Articles written so far.
    public var articleCount: Int { self.articles.lineCount }

    public init(articles: RotatingLineWriter, errors: Errors, onError: @escaping (ErrorRecord) -> Void = { _ in }) {
        self.articles = articles
        self.errors = errors
        self.onError = onError
    }

    /// The sink of a pipeline with `output_rotate`.
    ///
    /// - Parameters:
    ///   - output: The `output:` pattern (see ``OutputPattern``).
    ///   - errors: The pipeline's own `errors:` value: `nil` rotates error records beside
    ///     the articles (``OutputPattern/errorsPattern()``); `-` is standard error; a path
    ///     with a time field is rotated too; any other path is one file.
    ///   - journalFolder: Beside the state store (`STATE.journal`); `nil` without a state.
    /// - Throws: ``StageError`` for a bad pattern or a file that cannot be opened.
    public convenience init(
        output: String,
        errors: String?,
        policy: RotationPolicy,
        clock: any NewswireClock,
        journalFolder: String?,
        onError: @escaping (ErrorRecord) -> Void = { _ in }
    ) throws {
        let pattern = try OutputPattern(output)
        let errorsOutput: Errors
        if errors == "-" {
            errorsOutput = .lines(try LineWriter(.standardError))
        } else if errors == nil || errors?.contains("%") == true {
            let errorsPattern = try errors.map(OutputPattern.init) ?? pattern.errorsPattern()
            errorsOutput = .rotated(
                RotatingLineWriter(pattern: errorsPattern, policy: policy, clock: clock, journalFolder: journalFolder)
            )
        } else {
            let path = URL(fileURLWithPath: errors ?? "").standardizedFileURL.path
            let journal = journalFolder.map { $0 + "/" + String(Self.fnv1a(path), radix: 16) + ".journal" }
            errorsOutput = .lines(try LineWriter(.file(path), journal: journal))
        }
        self.init(
            articles: RotatingLineWriter(pattern: pattern, policy: policy, clock: clock, journalFolder: journalFolder),
            errors: errorsOutput,
            onError: onError
        )
    }

    /// When the earliest open file's time window ends: a daemon should commit (and store
    /// the checkpoint) then even when no record arrived, so the file is closed on time.
    public var nextRotation: Date? {
        var writers = [self.articles]
        if case .rotated(let errors) = self.errors { writers.append(errors) }
        return writers.compactMap(\.nextRotation).min()
    }

    public var nextCommitDue: Date? { self.nextRotation }

    public var checkpointNames: [String] {
        var names = [self.articles.checkpointName]
        switch self.errors {
        case .none: break
        case .lines(let writer): names += Self.lineCheckpointName(writer).map { [$0] } ?? []
        case .rotated(let writer): names.append(writer.checkpointName)
        }
        return names
    }

    public func recover(from checkpoint: [String: String]) throws {
        self.recoveryNotes += try self.articles.recover(from: checkpoint[self.articles.checkpointName])
        switch self.errors {
        case .none: break
        case .lines(let writer):
            if let name = Self.lineCheckpointName(writer), let note = try writer.recover(from: checkpoint[name]) {
                self.recoveryNotes.append(note)
            }
        case .rotated(let writer):
            self.recoveryNotes += try writer.recover(from: checkpoint[writer.checkpointName])
        }
    }

    /// Queues one article line.
    public func write(_ article: Article) throws {
        var json = JSONWriter()
        article.write(to: &json)
        try self.articles.write(line: json.bytes)
    }

    /// Queues one error record.
    public func write(_ error: ErrorRecord) throws {
        self.onError(error)
        var json = JSONWriter()
        switch self.errors {
        case .none: return
        case .lines(let writer):
            error.write(to: &json)
            try writer.write(line: json.bytes)
        case .rotated(let writer):
            error.write(to: &json)
            try writer.write(line: json.bytes)
        }
    }

    public func commit() throws -> [String: String] {
        var checkpoint = [self.articles.checkpointName: try self.articles.commit()]
        switch self.errors {
        case .none: break
        case .lines(let writer):
            if let value = try writer.checkpoint(), let name = Self.lineCheckpointName(writer) {
                checkpoint[name] = value
            }
        case .rotated(let writer):
            checkpoint[writer.checkpointName] = try writer.commit()
        }
        return checkpoint
    }

    /// Closes the open files that hold only committed records (see
    /// ``RotatingLineWriter/close()``); for a clean shutdown, after the last checkpoint is
    /// stored.
    public func close() throws {
        try self.articles.close()
        switch self.errors {
        case .none: break
        case .lines(let writer): try writer.flush()
        case .rotated(let writer): try writer.close()
        }
    }

    private static func fnv1a(_ text: String) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return value
    }

    /// The name ``NDJSONSink`` stores a file writer's checkpoint under.
    private static func lineCheckpointName(_ writer: LineWriter) -> String? {
        guard writer.isRegularFile, case .file(let path) = writer.destination else { return nil }
        return "sink.ndjson:" + path
    }
}

@available(*, unavailable)
extension RotatingNDJSONSink: Sendable {}
