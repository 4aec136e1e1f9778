import Foundation
import NewswireCore
import NewswireMarkup
import Testing

/// Segments of a streamed server render, sent hidden after the footer, are read where the page
/// shows them; a story wrapper whose class holds a comment word is still the story.
@Suite struct StreamedSegmentTests {
    private static let opening = """
        The harbour board agreed on Tuesday to sell the two grain silos on the east quay to a \
        climbing club, which plans to open a hall with walls on four floors by next summer.
        """
    private static let streamed = [
        """
        The club will pay for the conversion itself, and the board keeps the right to buy the \
        silos back at the same price if the hall has not opened within three years.
        """,
        """
        Neighbours asked for the outside of the silos to stay as it is, and the club said the \
        only change seen from the quay would be a glass door and a ramp on the north side.
        """,
    ]

    private static let later = [
        """
        The hall will have room for about two hundred climbers at a time, a café on the ground \
        floor and a small shop, and the club expects to employ a dozen people when it opens.
        """,
        """
        A survey last winter found the concrete of both silos sound, although the steel stairs \
        inside them will have to be replaced before any member of the public can use them.
        """,
        """
        The board's chair said the sale ends ten years of looking for a use for the silos, \
        which have stood empty since the last grain ship called at the quay.
        """,
        """
        Work on the conversion is due to start in March, once the club has its building \
        permit, and the quay will stay open to walkers and anglers throughout.
        """,
    ]

    /// Hostile markup: a segment inside its own boundary's fallback, and two segments whose
    /// placeholders lie inside each other. The story is still read, each paragraph once.
    /// (The fallback that holds its segment is left in place, which this test cannot see: moved,
    /// it would have formed a cycle cut off from the document and leaked.)
    @Test func segmentsInsideTheirOwnFallbackOrEachOtherAreLeftWhereTheyAre() throws {
        let html = """
            <html><body><main><article>
            <h1>Grain silos on the east quay to become a climbing hall</h1>
            <p>\(Self.opening)</p>
            <!--$?--><template id="B:0"></template>
            <div>Loading<div hidden id="S:0"><p>\(Self.streamed[0])</p></div></div><!--/$-->
            <div hidden id="S:1"><template id="P:2"></template><p>\(Self.later[0])</p></div>
            <div hidden id="S:2"><template id="P:1"></template><p>\(Self.later[1])</p></div>
            <p>\(Self.streamed[1])</p>
            </article></main></body></html>
            """
        let page = try ExtractionFixtures.extract(html)
        #expect(page.text.contains(Self.opening))
        #expect(page.text.contains(Self.streamed[1]))
        for paragraph in [Self.opening, Self.streamed[0], Self.streamed[1]] {
            #expect(page.text.components(separatedBy: paragraph).count <= 2, "read twice: \(paragraph)")
        }
    }

    @Test func putsStreamedSegmentsWhereThePageShowsThem() throws {
        let html = """
            <html><body><div id="root"><main><article>
            <h1>Grain silos on the east quay to become a climbing hall</h1>
            <p>\(Self.opening)</p>
            <!--$?--><template id="B:0"></template><div>Loading section...</div><!--/$-->
            <p>Residents can comment on the drawings at the town hall until the end of the month.</p>
            </article></main>
            <footer><p>Harbour Gazette, all rights reserved.</p></footer></div>
            <div hidden id="S:0"><h2>What the board decided</h2><p>\(Self.streamed[0])</p>
            <template id="P:1"></template></div>
            <div hidden id="S:1"><p>\(Self.streamed[1])</p></div>
            <script>$RC("B:0","S:0");$RS("S:1","P:1")</script>
            </body></html>
            """
        let page = try ExtractionFixtures.extract(html)
        let expected =
            [Self.opening, "What the board decided"] + Self.streamed
            + ["Residents can comment on the drawings"]
        var position = page.text.startIndex
        for part in expected {
            let found = try #require(page.text.range(of: part, range: position..<page.text.endIndex), "\(part)")
            position = found.upperBound
        }
        #expect(!page.text.contains("Loading section"))
        #expect(!page.text.contains("all rights reserved"))
    }

    @Test func aHiddenBlockWithoutAPlaceholderStaysHidden() throws {
        let html = """
            <html><body><main><article><h1>Grain silos on the east quay to become a climbing hall</h1>
            <p>\(Self.opening)</p><p>\(Self.streamed[0])</p></article></main>
            <div hidden id="S:7"><p>\(Self.streamed[1])</p></div>
            </body></html>
            """
        let page = try ExtractionFixtures.extract(html)
        #expect(page.text.contains(Self.streamed[0]))
        #expect(!page.text.contains(Self.streamed[1]))
    }

    @Test func keepsAStoryWrapperWhoseClassNamesComments() throws {
        let html = """
            <html><body><h1>Grain silos on the east quay to become a climbing hall</h1>
            <div class="post-body"><div class="comment-on-selection">
            <p>\(Self.opening)</p><p>\(Self.streamed[0])</p><p>\(Self.streamed[1])</p>
            <p>\(Self.later[0])</p><p>\(Self.later[1])</p><p>\(Self.later[2])</p>
            <p>\(Self.later[3])</p></div></div>
            <div class="sidebar"><p>Harbour Gazette, all rights reserved.</p></div>
            </body></html>
            """
        let page = try ExtractionFixtures.extract(html)
        #expect(page.text.contains(Self.opening))
        #expect(page.text.contains(Self.streamed[1]))
    }
}
