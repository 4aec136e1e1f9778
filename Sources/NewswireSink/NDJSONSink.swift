public import NewswireCore

/// Writes articles as NDJSON, one object a line, and error records beside them.
///
/// Error records go to their own writer when one is given (the pipeline's `errors:` file,
/// or `OUTPUT.errors.ndjson` beside a file output); with output on standard output and no
/// errors file, they go to the `onError` callback (the CLI logs them on standard error).
///
/// Confined to one serial queue (the sink stage's); not thread-safe.
public final class NDJSONSink {
    private let articles: LineWriter
    private let errors: LineWriter?
    private let onError: (ErrorRecord) -> Void

    /// Articles written so far.
    public var articleCount: Int { self.articles.lineCount }

    public init(articles: LineWriter, errors: LineWriter?, onError: @escaping (ErrorRecord) -> Void = { _ in }) {
        self.articles = articles
        self.errors = errors
        self.onError = onError
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

    /// Makes every line written so far durable (flush and `fsync`).
    public func flush() throws {
        try self.articles.flush()
        try self.errors?.flush()
    }
}

@available(*, unavailable)
extension NDJSONSink: Sendable {}
