/// Parses one fetched feed document.
///
/// Implementations are stateless values, called from any thread of the parse queue.
public protocol FeedParsing: Sendable {
    /// Parses `document` into a feed; a document that is not a feed gives a ``ParsedFeed``
    /// with `error` set and no entries, rather than throwing.
    func parseFeed(_ document: FetchedDocument) -> ParsedFeed
}

/// Extracts the article from one fetched HTML page.
///
/// Implementations are stateless values, called from any thread of the extract queue.
public protocol ArticleExtracting: Sendable {
    /// - Throws: ``StageError`` with kind `parse` when the bytes cannot be read as HTML.
    func extractArticle(from document: FetchedDocument) throws -> ExtractedPage
}

/// Finds named entities in an article's title and text.
///
/// Implementations are immutable after loading and called from any thread of the entity queue.
public protocol EntityExtracting: Sendable {
    func extractEntities(title: String?, text: String) -> [Entity]
}
