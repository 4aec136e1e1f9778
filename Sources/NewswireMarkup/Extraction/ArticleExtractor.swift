import Foundation
public import NewswireCore

/// Extracts the article (body text and metadata) from one HTML page with libxml2.
///
/// A stateless value: every call parses its own document, so any thread of the extract
/// queue may call it at once. The libxml2 tree is freed before the call returns, so
/// memory does not grow across a batch. `LibXML2.initialize()` must have run first.
public struct ArticleExtractor: ArticleExtracting {
    public init() {}

    /// Extracts the article of `document`, decoding its bytes by the charset rules of ``Charset``.
    ///
    /// - Throws: ``StageError`` with kind `parse` when libxml2 cannot build a tree from the bytes,
    ///   `limit` when the page is nested too deep or costs more than its CPU budget.
    public func extractArticle(from document: FetchedDocument) throws -> ExtractedPage {
        let cpuStart = Self.threadCPUSeconds()
        let decoded = Charset.decode(document.body, contentType: document.contentType, kind: .html)
        guard let page = PageIndex(utf8: decoded.utf8, url: document.finalURL) else {
            throw StageError(.parse, "libxml2 could not parse the page as HTML")
        }
        if let depth = page.tooDeep {
            throw StageError(.limit, "elements nested \(depth)+ levels deep; the extractor reads \(PageIndex.maxDepth)")
        }
        var result = ExtractedPage()
        result.encoding = decoded.encoding
        let metadata = Metadata(page: page, pageURL: document.finalURL, now: document.fetchedAt)
        metadata.fill(&result)
        var content = MainContent(page: page)
        let paragraphs = BoilerplateFilter.clean(content.paragraphs(), title: result.title)
        try Self.checkCPUBudget(since: cpuStart, after: "the main content")
        result.text = Self.withinTextBudget(paragraphs.map(\.text).joined(separator: "\n\n")).text
        // JSON-LD articleBody as evidence: when the page's own body is much longer than what the
        // DOM gave, the region was missed (scripted layouts, split bodies); the publisher's text wins.
        if let raw = metadata.articleBody, raw.utf8.count >= 400, result.text.utf8.count * 2 < raw.utf8.count {
            let body = Self.plainText(raw)
            if result.text.utf8.count * 2 < body.utf8.count { result.text = Self.withinTextBudget(body).text }
        }
        if result.language == nil { result.language = LanguageGuess.language(of: result.text) }
        result.pageStatus = PageClassifier.status(
            of: result,
            httpStatus: document.status,
            page: page,
            paywallMarked: metadata.isMarkedPaywalled,
            pageURL: document.finalURL
        )
        switch result.pageStatus {
        case .consentWall, .blocked, .errorPage:
            result.text = ""
        default:
            break
        }
        return result
    }
}

extension ArticleExtractor {
    /// `articleBody` as plain paragraphs: tags removed, white space collapsed within lines.
    static func plainText(_ body: String) -> String {
        var text = ""
        var inTag = false
        for character in body {
            if character == "<" {
                inTag = true
            } else if character == ">" && inTag {
                inTag = false
                text.append(" ")
            } else if !inTag {
                text.append(character)
            }
        }
        return text.split(whereSeparator: \.isNewline)
            .map { $0.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ") }
            .filter { !$0.isEmpty }
            .joined(separator: "\n\n")
    }

    /// The stages of ``extractArticle(from:)`` up to `stage`, for the benchmark's break-down:
    /// 0 decodes the charset, 1 also parses and indexes, 2 also reads the metadata.
    package func runStages(upTo stage: Int, of document: FetchedDocument) {
        let decoded = Charset.decode(document.body, contentType: document.contentType, kind: .html)
        guard stage >= 1, let page = PageIndex(utf8: decoded.utf8, url: document.finalURL) else { return }
        guard stage >= 2 else { return }
        var result = ExtractedPage()
        Metadata(page: page, pageURL: document.finalURL, now: Date()).fill(&result)
    }
}
