import Foundation
import NewswireCore
import NewswireMarkup
import Testing

/// Code blocks keep all their text: a highlighter names its tokens like boilerplate.
@Suite struct HighlightedCodeTests {
    private static let opening = """
        The harbour board met on Tuesday evening to settle the question of the old grain silos, \
        which have stood empty on the east quay since the mill closed nearly twenty years ago.
        """
    private static let story = [
        """
        After three hours of debate, the board voted to turn the silos into a climbing hall, \
        a café and a small museum of the milling trade, with work to begin next spring.
        """,
        """
        The plan is paid for by a mix of port fees, a regional grant and a loan, and the \
        board expects the hall to cover its running costs within five years of opening.
        """,
    ]

    @Test func keepsTheCommentsOfHighlightedCode() throws {
        let html = """
            <html><body><main><article><h1>Five commands to start a repository</h1>
            <p>\(Self.opening)</p>
            <pre><code class="hljs bash"><span class="hljs-comment"># make the folder a repository</span>
            git init
            <span class="token comment"># see what changed since the last commit</span>
            git status</code></pre>
            <p>\(Self.story[0])</p>
            <div class="comments"><p>Great post, thanks a lot for sharing these commands with us all!</p></div>
            </article></main></body></html>
            """
        let page = try ExtractionFixtures.extract(html)
        #expect(page.text.contains("# make the folder a repository"))
        #expect(page.text.contains("# see what changed since the last commit"))
        #expect(page.text.contains("git status"))
        #expect(!page.text.contains("Great post"))
    }
}
