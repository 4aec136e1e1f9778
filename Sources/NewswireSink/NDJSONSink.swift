public import NewswireCore

/// Writes articles as NDJSON, one object a line, and error records beside them.
///
/// Error records go to their own writer when one is given (the pipeline's `errors:` file,
/// `OUTPUT.errors.ndjson` beside a file output, or standard error as JSON lines for
/// `--errors -`); with no errors writer they go only to the `onError` callback (the CLI
/// logs them on standard error).
///
/// Confined to one serial queue (the sink stage's); not thread-safe.
public final class NDJSONSink: RecordSink {
    private let articles: LineWriter
    private let errors: LineWriter?
    private let onError: (ErrorRecord) -> Void
    /// Notes from ``recover(from:)`` (what was cut off or kept), for the log.
    public private(set) var recoveryNotes: [String] = []

    /// Articles written so far.
    public var articleCount: Int { self.articles.lineCount }

    public init(articles: LineWriter, errors: LineWriter?, onError: @escaping (ErrorRecord) -> Void = { _ in }) {
        self.articles = articles
        self.errors = errors
        self.onError = onError
    }

    public var checkpointNames: [String] {
        [self.articles, self.errors].compactMap { writer in
            guard let writer, writer.isRegularFile, case .file(let path) = writer.destination else { return nil }
            return "sink.ndjson:" + path
        }
    }

    public func recover(from checkpoint: [String: String]) throws {
        for writer in [self.articles, self.errors] {
            guard let writer, writer.isRegularFile, case .file(let path) = writer.destination else { continue }
            if let note = try writer.recover(from: checkpoint["sink.ndjson:" + path]) {
                self.recoveryNotes.append(note)
            }
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
        guard let errors = self.errors else { return }
        var json = JSONWriter()
        error.write(to: &json)
        try errors.write(line: json.bytes)
    }

    /// Yes: a file's journal keeps the chunks of the last two checkpoints, so the next start
    /// cuts off what was written after whichever of them the state store holds.
    public var writesWhileCheckpointIsStored: Bool { true }

    public func commit() throws -> [String: String] {
        var checkpoint: [String: String] = [:]
        for writer in [self.articles, self.errors] {
            guard let writer else { continue }
            if let value = try writer.checkpoint(), case .file(let path) = writer.destination {
                checkpoint["sink.ndjson:" + path] = value
            }
        }
        return checkpoint
    }

    /// Makes every line written so far durable (flush, and `fsync` for regular files).
    public func flush() throws {
        try self.articles.flush()
        try self.errors?.flush()
    }
}

@available(*, unavailable)
extension NDJSONSink: Sendable {}
