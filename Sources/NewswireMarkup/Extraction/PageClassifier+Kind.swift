import Foundation

/// The kind of page by what it declares and how it is built: the cues that tell a forum
/// thread, a shop item, documentation or a service page from a story.
///
/// Every cue is a general convention of publishing software (schema.org and Open Graph
/// types, microdata on members' posts, a site menu that lists the page), never a site.
extension PageClassifier {
    /// Whether the schema.org types declare an article.
    ///
    /// A `Review` counts only when it is not the customers' reviews of a shop item: a page
    /// that declares an `AggregateRating` with a `Product` or an `Offer` sells the thing
    /// reviewed, and its reviews are the buyers'.
    static func declaresArticle(_ types: Set<String>) -> Bool {
        let declared = types.intersection(Self.articleTypes)
        guard declared == ["Review"] else { return !declared.isEmpty }
        return !(types.contains("AggregateRating") && (types.contains("Product") || types.contains("Offer")))
    }

    /// Open Graph types of pages that are not stories (`og:type` "book" is an online book's
    /// chapter, "profile" a person's page); "product…" is handled with the shop pages.
    static let otherOpenGraphTypes: Set<String> = [
        "book", "books.book", "profile", "business.business", "place", "restaurant.restaurant", "music.song",
        "music.album", "music.playlist",
    ]

    /// A forum thread: ten or more posts signed by their members in microdata (a `Person` or
    /// `Comment` item each), and no article declared, or too little text of its own to be a
    /// story with comments (forum software that declares the thread an `Article`).
    static func isForumThread(_ page: PageIndex, declaresArticle: Bool, words: Int) -> Bool {
        guard !declaresArticle || words < 300, page.head.microdata.count >= 10 else { return false }
        var people = 0
        var comments = 0
        for (_, type) in page.head.microdata {
            if type == "Person" { people += 1 } else if type == "Comment" { comments += 1 }
        }
        return max(people, comments) >= 10
    }

    /// Whether the page is an entry of its own site's menu: a link to its own address (no
    /// query, no fragment) in a list of eight or more items inside navigation, a header, a
    /// footer, an aside or a sidebar. A story is reached from lists of stories, a service or
    /// documentation page from the menu. Share bars and comments are not menus.
    static func isListedInItsMenu(_ page: PageIndex, url: String?) -> Bool {
        guard let url, let base = URL(string: url), let host = base.host?.lowercased(), let body = page.body else {
            return false
        }
        let ownPath = Self.normalPath(base.path)
        let elements = page.elements
        for index in body..<Int(elements[body].end) where elements[index].tag == .a && !elements[index].hidden {
            var inList = false
            var inMenu = false
            var ancestor = Int(elements[index].parent)
            while ancestor > body {
                let element = elements[ancestor]
                if element.hints.contains(.discussion) || element.hints.contains(.boilerplate) {
                    inMenu = false
                    break
                }
                if (element.tag == .ul || element.tag == .ol) && element.listItems >= 8 { inList = true }
                if inList, Self.isMenuRegion(element) { inMenu = true }
                ancestor = Int(element.parent)
            }
            guard inMenu, let href = PageIndex.attribute("href", of: elements[index].node),
                !href.hasPrefix("#"), let link = URL(string: href, relativeTo: base)?.absoluteURL,
                link.query == nil, link.fragment == nil, link.host?.lowercased() == host
            else { continue }
            if Self.normalPath(link.path) == ownPath { return true }
        }
        return false
    }

    private static func isMenuRegion(_ element: IndexedElement) -> Bool {
        switch element.tag {
        case .nav, .header, .footer, .aside: return true
        default: return element.hints.contains(.unlikely)
        }
    }

    /// A path compared as a site's router would: lower case, no trailing slash or index file.
    static func normalPath(_ path: String) -> String {
        var path = path.lowercased()
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        for suffix in ["/index.html", "/index.htm", "/index.php"] where path.hasSuffix(suffix) {
            path.removeLast(suffix.count)
        }
        return path.isEmpty ? "/" : path
    }

    /// Whether the shown text (its first 20,000 characters) has the words of a shop's page.
    static func showsShopVocabulary(_ page: PageIndex) -> Bool {
        let text = TextBytes.foldedASCII(Self.visibleText(page))
        return Self.shopPhrases.contains { TextBytes.contains(text, $0) }
    }

    private static let shopPhrases = [
        "add to cart", "add to bag", "add to basket", "shop now", "sort by", "in den warenkorb", "ajouter au panier",
        "añadir al carrito", "aggiungi al carrello",
    ]
}
