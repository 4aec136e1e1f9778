internal import CLibXML2
import Foundation
import NewswireCore

/// Decides whether a page is an article, or which kind of non-article it is.
///
/// Conservative by design: a page is only called a wall or an error page when the story
/// text found on it is short, so a real article that mentions cookies or subscriptions
/// stays an article.
enum PageClassifier {
    /// - Parameter pageURL: the address the page was fetched from; its canonical URL is preferred.
    static func status(
        of result: ExtractedPage,
        httpStatus: Int,
        page: PageIndex,
        paywallMarked: Bool,
        pageURL: String? = nil
    ) -> PageStatus {
        let status = Self.wallStatus(of: result, httpStatus: httpStatus, page: page, paywallMarked: paywallMarked)
        if status == .article, Self.isListingOrProduct(result, page: page, pageURL: result.canonicalURL ?? pageURL) {
            return .notArticle
        }
        return status
    }

    /// Error pages, walls and pages with too little text.
    private static func wallStatus(
        of result: ExtractedPage,
        httpStatus: Int,
        page: PageIndex,
        paywallMarked: Bool
    )
        -> PageStatus
    {
        if httpStatus >= 400 { return .errorPage }
        let words = TextBytes.wordCount(result.text)
        guard words < 200 else { return .article }
        let title = TextBytes.foldedASCII(page.head.title ?? result.title ?? "")
        let bodyText = TextBytes.foldedASCII(Self.visibleText(page))
        let sample = title + [10] + bodyText
        if words < 120, Self.blockedPhrases.contains(where: { TextBytes.contains(sample, $0) }) { return .blocked }
        if words < 120, Self.errorPhrases.contains(where: { TextBytes.contains(title, $0) }) { return .errorPage }
        // A consent wall is when the dialog is what the page shows: its words are the text found,
        // or the whole page is hardly more than the dialog.
        let pageWords = bodyText.reduce(0) { $1 == 32 ? $0 + 1 : $0 }
        let consentSource = pageWords < 300 ? bodyText : TextBytes.foldedASCII(result.text)
        if words < 120, Self.consentPhrases.contains(where: { TextBytes.contains(consentSource, $0) }),
            ["cookie", "consent", "privacy"].contains(where: { TextBytes.contains(consentSource, $0) })
        {
            return .consentWall
        }
        if Self.paywallPhrases.contains(where: { TextBytes.contains(bodyText, $0) }) || (paywallMarked && words < 150) {
            return .paywall
        }
        if words < 40 { return .notArticle }
        return .article
    }

    /// Schema.org types of pages that are not stories: shop pages, lists of links, forums and
    /// questions. A page declaring one of them and no article type is not an article.
    private static let nonArticleTypes: Set<String> = [
        "Product", "ProductGroup", "CollectionPage", "QAPage", "DiscussionForumPosting", "ItemList",
        "SearchResultsPage", "ProfilePage", "JobPosting", "SoftwareApplication", "ItemPage", "Service",
    ]

    static let articleTypes: Set<String> = [
        "Article", "NewsArticle", "BlogPosting", "Report", "TechArticle", "ScholarlyArticle", "AnalysisNewsArticle",
        "OpinionNewsArticle", "ReviewNewsArticle", "ReportageNewsArticle", "LiveBlogPosting", "SocialMediaPosting",
        "MedicalWebPage", "Recipe", "HowTo", "Review", "BackgroundNewsArticle",
    ]

    /// A product page, a forum thread, a listing or a collection, by what the page declares
    /// (schema.org types, `og:type`) and the shape of its text: a story is mostly paragraphs of
    /// prose, a listing or a product grid mostly short lines, links and cards.
    static func isListingOrProduct(_ result: ExtractedPage, page: PageIndex, pageURL: String? = nil) -> Bool {
        let types = JSONLD.declaredTypes(in: page.head.jsonLD)
        let declaresArticle = Self.declaresArticle(types)
        if !declaresArticle, !types.isDisjoint(with: Self.nonArticleTypes) { return true }
        // Microdata says what the page is about when its item holds the headline: a product or
        // question page wraps the `h1` in its Product or QAPage item; a review's product box
        // sits inside the story and holds no headline.
        let item = Self.headlineItemTypes(of: page)
        if !declaresArticle, item.isDisjoint(with: Self.articleTypes), !item.isDisjoint(with: Self.nonArticleTypes) {
            return true
        }
        let ogType = page.head.meta("og:type")?.lowercased() ?? ""
        if ogType.hasPrefix("product") { return true }
        if !declaresArticle, Self.otherOpenGraphTypes.contains(ogType) { return true }
        let words = TextBytes.wordCount(result.text)
        if Self.isForumThread(page, declaresArticle: declaresArticle, words: words) { return true }
        // A page whose JSON-LD calls it a plain `WebPage` and no article: content systems set
        // `og:type` "article" on every page, so that says nothing there.
        let plainPage = !declaresArticle && types.contains("WebPage")
        // The shape of the page: the share of its text in paragraphs of prose (80+ characters).
        var signals = declaresArticle ? 1 : 0
        if ogType == "article" && !plainPage { signals += 1 }
        if result.published != nil { signals += 1 }
        if !result.authors.isEmpty { signals += 1 }
        guard signals < 3, let body = page.body else { return false }
        // Documentation: many code blocks and nothing that dates or signs the page as a story.
        var blocks = 0
        for element in page.elements[body..<Int(page.elements[body].end)] where element.tag == .pre {
            blocks += 1
        }
        if signals == 0 && blocks >= 10 { return true }
        let total = Int(page.elements[body].text)
        guard total > 0 else { return false }
        // Prose: blocks with 80+ characters of their own text (a `<p>`, or a `<div>` of text and
        // `<br>`s on older templates), hardly any of it in links. Cards, code and form fields are
        // counted on the way.
        var prose = 0
        var code = 0
        var cards = 0
        var linkedHeadings = 0
        for element in page.elements[body..<Int(page.elements[body].end)] where !element.hidden {
            switch element.tag {
            case .code: code += 1
            case .article: cards += 1
            case .h2, .h3, .h4: if element.linkText > 0 { linkedHeadings += 1 }
            default: break
            }
            if !element.tag.isInline && element.inlineText >= 80 && element.inlineLinkText * 4 < element.inlineText {
                prose += Int(element.inlineText)
            }
        }
        if prose * 10 < total && words < 600 { return true }
        // Reference documentation: code samples by the dozen and at most one story signal, or
        // no byline.
        if code >= 50 && (signals <= 1 || result.authors.isEmpty) { return true }
        // Documentation: code samples, no byline, and the page is an entry of its own menu
        // (the sidebar of a manual).
        // Whether the page is an entry of its own menu, found once: both cues below ask it.
        var listedInMenu: Bool?
        func isListedInMenu() -> Bool {
            if let listedInMenu { return listedInMenu }
            let listed = Self.isListedInItsMenu(page, url: pageURL)
            listedInMenu = listed
            return listed
        }
        if (blocks >= 5 || code >= 10) && result.authors.isEmpty && isListedInMenu() { return true }
        // Without the signals of a story, the cues of other pages: little prose, many code
        // samples (documentation), many form fields or prices (a shop), many cards or linked
        // headings (a listing), mostly links.
        let bodyElement = page.elements[body]
        var cues = 0
        if prose * 10 < total * 3 { cues += 1 }
        if prose * 20 < total * 3 { cues += 1 }
        if code >= 20 { cues += 1 }
        if bodyElement.inputs >= 30 { cues += 1 }
        if cards >= 5 { cues += 1 }
        if linkedHeadings >= 10 { cues += 1 }
        if bodyElement.linkText * 10 >= bodyElement.text * 4 { cues += 1 }
        // The names of the page: a story has a headline of a sentence and an address of its
        // own words; a section, shop or service page a label ("Cloud", "Dental care") and a
        // one- or two-word address ("/topic/cloud/", "/services/").
        if let url = result.canonicalURL, Self.hasShortSlug(url) { cues += 1 }
        if Self.words(in: result.title ?? "") <= 3 { cues += 1 }
        let needed = signals < 2 ? 3 : 4
        // What the page declares and where the site lists it: questions and answers without an
        // article (a service's FAQ), and a plain page that is an entry of the site's menu.
        if types.contains("FAQPage") && !declaresArticle { cues += 1 }
        if cues < needed, plainPage, isListedInMenu() { cues += 1 }
        if cues < needed, Self.showsShopVocabulary(page) { cues += 1 }
        if cues == needed - 1, Self.prices(in: page, atLeast: 25) { cues += 1 }
        return cues >= needed
    }

    /// The microdata types of the items that hold the page's first shown `h1`.
    static func headlineItemTypes(of page: PageIndex) -> Set<String> {
        guard !page.head.microdata.isEmpty,
            let headline = page.elements.indices.first(where: {
                page.elements[$0].tag == .h1 && !page.elements[$0].hidden && page.elements[$0].text > 0
            })
        else { return [] }
        var types: Set<String> = []
        for (element, type) in page.head.microdata where element <= headline {
            if headline < Int(page.elements[element].end) { types.insert(type) }
        }
        return types
    }

    /// Whether the last segment of an http(s) URL's path has at most two words and the path no
    /// date or long number (the marks of a story's address).
    static func hasShortSlug(_ url: String) -> Bool {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https"
        else { return false }
        let path = Array(components.percentEncodedPath.utf8)
        var digits = 0
        for (index, byte) in path.enumerated() {
            if byte >= 48 && byte <= 57 {
                digits += 1
                if digits >= 5 { return false }
            } else {
                // "/2024/05/" or "2024-05-12": four digits, a separator, then more digits.
                if digits == 4, byte == UInt8(ascii: "/") || byte == UInt8(ascii: "-"), index + 1 < path.count,
                    path[index + 1] >= 48 && path[index + 1] <= 57
                {
                    return false
                }
                digits = 0
            }
        }
        let segment = path.split(separator: UInt8(ascii: "/")).last.map { String(decoding: $0, as: UTF8.self) } ?? ""
        var stem = Substring(segment)
        if let dot = stem.lastIndex(of: "."),
            ["html", "htm", "php", "asp", "aspx"].contains(stem[stem.index(after: dot)...])
        {
            stem = stem[..<dot]
        }
        return stem.split(whereSeparator: { $0 == "-" || $0 == "_" }).count <= 2
    }

    private static func words(in text: String) -> Int {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).count
    }

    /// Whether the visible text shows at least `count` prices (a currency sign before a digit).
    private static func prices(in page: PageIndex, atLeast count: Int) -> Bool {
        guard let body = page.body else { return false }
        var found = 0
        for element in page.elements[body..<Int(page.elements[body].end)] where !element.hidden {
            var child = element.node.pointee.children
            while let node = child {
                child = node.pointee.next
                guard node.pointee.type == XML_TEXT_NODE, let content = node.pointee.content else { continue }
                var index = 0
                while content[index] != 0 {
                    let byte = content[index]
                    index += 1
                    // "$", "£" (C2 A3) and "€" (E2 82 AC), then a digit after an optional space.
                    var after = -1
                    if byte == UInt8(ascii: "$") {
                        after = index
                    } else if byte == 0xC2, content[index] == 0xA3 {
                        after = index + 1
                    } else if byte == 0xE2, content[index] == 0x82, content[index + 1] == 0xAC {
                        after = index + 2
                    }
                    guard after >= 0 else { continue }
                    if content[after] == 32 { after += 1 }
                    if content[after] >= 48 && content[after] <= 57 {
                        found += 1
                        if found >= count { return true }
                    }
                }
            }
        }
        return false
    }

    /// The text of the page outside scripts and styles (at most the first 20,000 characters).
    static func visibleText(_ page: PageIndex) -> String {
        guard let body = page.body else { return "" }
        var text = ""
        for element in page.elements[body..<Int(page.elements[body].end)] where !element.hidden {
            var child = element.node.pointee.children
            while let node = child {
                child = node.pointee.next
                guard node.pointee.type == XML_TEXT_NODE, let content = node.pointee.content else { continue }
                text += String(cString: content)
                text += " "
            }
            if text.utf8.count > 20000 { break }
        }
        return text
    }

    private static let blockedPhrases = [
        "access denied", "access to this page has been denied", "attention required", "just a moment...",
        "are you a robot", "are you a human", "verify you are human", "verify that you are human",
        "unusual traffic", "complete the captcha", "captcha", "request blocked", "you have been blocked",
        "checking your browser", "enable javascript and cookies to continue", "bot detection", "ddos protection",
    ]

    private static let errorPhrases = [
        "404", "page not found", "not found", "page cannot be found", "page could not be found", "410 gone",
        "500 internal", "server error", "service unavailable", "bad gateway", "error page", "this page doesn't exist",
        "this page does not exist", "seite nicht gefunden", "page introuvable", "página no encontrada",
    ]

    private static let consentPhrases = [
        "accept all", "accept cookies", "agree and continue", "i agree", "we use cookies", "consent to",
        "manage cookies", "cookie settings", "your privacy choices", "privacy settings", "reject all",
        "manage preferences", "before you continue", "alle akzeptieren", "tout accepter", "aceptar todo",
    ]

    private static let paywallPhrases = [
        "subscribe to continue", "subscribe to read", "subscribers only", "for subscribers", "subscriber-only",
        "to continue reading", "continue reading with", "already a subscriber", "already have an account",
        "this article is for subscribers", "create a free account to continue", "register to continue",
        "sign in to continue reading", "become a member to read", "unlock this article", "premium article",
        "log in to read", "subscribe now to read",
    ]
}
