import Foundation
import NewswireCore
import NewswireMarkup
import Testing

/// A section of the story whose list of links outweighs its prose keeps its prose.
@Suite struct LinkHeavySectionTests {
    private static let story = [
        """
        The county library moved its evening classes to the old fire station this autumn, \
        and the first term filled within a week of the timetable going up on the door.
        """,
        """
        Volunteers repaired the hall's floor and wiring over the summer, and the county paid \
        for new tables, a projector and a small kitchen for the breaks between lessons.
        """,
        """
        The library hopes to add weekend classes in the spring if enough teachers come forward, \
        and it asks anyone who can help to leave a note with the front desk.
        """,
    ]

    private static func links(_ count: Int, _ prefix: String) -> String {
        (1...count).map { "<li><a href=\"/c/\($0)\">\(prefix) course number \($0) in the autumn term</a></li>" }
            .joined()
    }

    @Test func keepsTheProseOfASectionWhoseListOfLinksOutweighsIt() throws {
        let html = """
            <html><body><main><article><h1>Evening classes move to the old fire station</h1>
            <div class="section"><p>\(Self.story[0])</p><p>\(Self.story[1])</p></div>
            <div class="section"><h2>What is on offer this term</h2>
            <p>\(Self.story[2])</p><ul>\(Self.links(6, "Language"))</ul></div>
            </article></main>
            <div class="more"><p>More from the county:</p><ul>\(Self.links(8, "Other"))</ul></div>
            </body></html>
            """
        let page = try ExtractionFixtures.extract(html)
        for paragraph in Self.story {
            #expect(page.text.contains(paragraph))
        }
        #expect(page.text.contains("What is on offer this term"))
        #expect(!page.text.contains("Language course number"))
        #expect(!page.text.contains("Other course number"))
    }

    @Test func keepsAListOfLinksThatTheStoryIntroducesWithAColon() throws {
        let html = """
            <html><body><main><article><h1>Evening classes move to the old fire station</h1>
            <p>\(Self.story[0])</p><p>\(Self.story[1])</p>
            <p>The library put the new courses on its site this week:</p>
            <div class="ulist"><ul>\(Self.links(5, "Language"))</ul></div>
            <p>\(Self.story[2])</p>
            <ul>\(Self.links(5, "Pottery"))</ul>
            </article></main></body></html>
            """
        let page = try ExtractionFixtures.extract(html)
        #expect(page.text.contains("Language course number 5 in the autumn term"))
        #expect(page.text.contains(Self.story[2]))
        #expect(!page.text.contains("Pottery course number"))
    }

    @Test func aListUnderAHeadingInCapitalsIsNotStory() throws {
        let html = """
            <html><body><main><article><h1>Evening classes move to the old fire station</h1>
            <p>\(Self.story[0])</p><p>\(Self.story[1])</p><p>\(Self.story[2])</p>
            <p><strong>MORE FROM THE LIBRARY DESK:</strong></p>
            <ul>\(Self.links(4, "Pottery"))</ul>
            </article></main></body></html>
            """
        let page = try ExtractionFixtures.extract(html)
        #expect(page.text.contains(Self.story[2]))
        #expect(!page.text.contains("Pottery course number"))
    }

    @Test func aLinkBoxWithOnlyALabelStillGoes() throws {
        let html = """
            <html><body><main><article><h1>Evening classes move to the old fire station</h1>
            <p>\(Self.story[0])</p><p>\(Self.story[1])</p><p>\(Self.story[2])</p>
            <div class="box"><p>Also in the county this week:</p><ul>\(Self.links(6, "Pottery"))</ul></div>
            </article></main></body></html>
            """
        let page = try ExtractionFixtures.extract(html)
        #expect(page.text.contains(Self.story[2]))
        #expect(!page.text.contains("Also in the county this week"))
        #expect(!page.text.contains("Pottery course number"))
    }
}
