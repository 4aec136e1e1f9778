import Foundation
import NewswireCore
import NewswireMarkup

/// Pages written for these tests: invented sites, people and places.
enum ExtractionFixtures {
    static let storyParagraphs = [
        "The harbour council of Lindqvist Bay voted on Tuesday to rebuild the old ferry pier, ending a dispute "
            + "that had divided the island town for more than a decade, according to minutes seen by reporters.",
        "Mayor Orla Brennick said the new pier would be built from recycled timber, and that work could begin "
            + "before the autumn storms, provided the regional grant arrives on time.",
        "Fishermen, who had opposed earlier plans because of the noise, welcomed the compromise; several of "
            + "them said the quieter design addressed their main concerns about the spawning grounds.",
        "The project is expected to cost 4.2 million crowns, of which the island will pay a third, with the rest "
            + "coming from the coastal fund and from a small levy on summer visitors.",
    ]

    /// An article wrapped in the usual furniture: navigation, share bar, newsletter box,
    /// related stories, comments and footer.
    static func cluttered(extraHead: String = "", byline: String = "By Tove Almqvist") -> String {
        let story = Self.storyParagraphs.map { "<p>\($0)</p>" }.joined(separator: "\n")
        return """
            <!DOCTYPE html>
            <html lang="en-GB"><head>
            <meta charset="utf-8">
            <title>Ferry pier to be rebuilt after decade-long dispute | The Lindqvist Courier</title>
            <meta property="og:site_name" content="The Lindqvist Courier">
            <link rel="canonical" href="/2024/05/14/ferry-pier-rebuilt">
            \(extraHead)
            </head><body>
            <header class="site-header"><nav class="main-nav"><ul>
              <li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
            </ul></nav></header>
            <div class="cookie-banner">We use cookies to improve your experience. <button>Accept all</button></div>
            <main>
            <article class="story">
              <h1>Ferry pier to be rebuilt after decade-long dispute</h1>
              <div class="byline">\(byline)</div>
              <div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
              <figure><img src="/pier.jpg"><figcaption>The old pier in winter. Photo: Ivar Lund</figcaption></figure>
              <div class="article-body">
              \(story)
              <h2>What happens next</h2>
              <p>The council will publish the tender in June, and residents can comment on the drawings until the end of July at the town hall.</p>
              <ul><li>Tender published in June, with drawings on display</li><li>Comments from residents until the end of July</li></ul>
              <blockquote>We finally have a plan that the whole island can live with, and that matters more than the money.</blockquote>
              <div class="newsletter-signup"><h3>Get the Courier in your inbox</h3><p>Sign up for our morning newsletter.</p><form><input type="email"><button>Subscribe</button></form></div>
              <p>Advertisement</p>
              </div>
              <div class="related-stories"><h3>Related stories</h3><ul>
                <li><a href="/a">Island ferry timetable changes for summer season</a></li>
                <li><a href="/b">Council approves new harbour lights after long debate</a></li>
                <li><a href="/c">Fishing quotas cut again for the northern grounds</a></li>
              </ul></div>
            </article>
            <section id="comments" class="comments"><h3>Comments</h3>
              <div class="comment"><p>Finally! I have waited years for this, and my grandfather waited even longer for it, honestly.</p></div>
              <div class="comment"><p>What a waste of money, the old pier was fine, and the levy will drive visitors away.</p></div>
            </section>
            </main>
            <aside class="sidebar"><h3>Most read</h3><ol><li><a href="/x">Storm warning for the weekend</a></li></ol></aside>
            <footer class="site-footer"><p>© 2024 The Lindqvist Courier. All rights reserved.</p></footer>
            </body></html>
            """
    }

    static func extract(
        _ html: String,
        url: String = "https://courier.example/2024/05/14/ferry-pier-rebuilt",
        contentType: String? = "text/html; charset=utf-8",
        status: Int = 200
    ) throws -> ExtractedPage {
        try self.extract(bytes: Array(html.utf8), url: url, contentType: contentType, status: status)
    }

    static func extract(
        bytes: [UInt8],
        url: String = "https://courier.example/2024/05/14/ferry-pier-rebuilt",
        contentType: String? = nil,
        status: Int = 200
    ) throws -> ExtractedPage {
        LibXML2.initialize()
        var headers = HTTPHeaders()
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        let document = FetchedDocument(requestedURL: url, status: status, headers: headers, body: bytes)
        return try ArticleExtractor().extractArticle(from: document)
    }
}
