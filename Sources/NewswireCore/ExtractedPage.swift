public import struct Foundation.Date

/// Why a page is or is not an article (the record's `page_status`).
public struct PageStatus: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let article = PageStatus(rawValue: "article")
    public static let consentWall = PageStatus(rawValue: "consent_wall")
    public static let paywall = PageStatus(rawValue: "paywall")
    public static let blocked = PageStatus(rawValue: "blocked")
    public static let errorPage = PageStatus(rawValue: "error_page")
    public static let notArticle = PageStatus(rawValue: "not_article")

    public var description: String { self.rawValue }
}

/// What the extraction stage reads from one HTML page.
public struct ExtractedPage: Sendable, Hashable {
    public var title: String?
    public var authors: [String] = []
    public var published: Date?
    public var updated: Date?
    public var language: String?
    /// `<link rel=canonical>` or `og:url`, absolute.
    public var canonicalURL: String?
    public var siteName: String?
    public var description: String?
    public var image: String?
    public var categories: [String] = []
    /// The body as plain text, paragraphs separated by a blank line.
    public var text: String = ""
    public var pageStatus: PageStatus = .article
    /// The charset the page was decoded with.
    public var encoding: String?

    public init() {}
}
