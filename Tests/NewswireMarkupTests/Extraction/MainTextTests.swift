import Foundation
import NewswireCore
import NewswireMarkup
import Testing

@Suite struct MainTextTests {
    @Test func keepsTheStoryAndDropsTheFurniture() throws {
        let page = try ExtractionFixtures.extract(ExtractionFixtures.cluttered())
        for paragraph in ExtractionFixtures.storyParagraphs {
            #expect(page.text.contains(paragraph))
        }
        for boilerplate in [
            "Home", "Share on Facebook", "newsletter", "Related stories", "Island ferry timetable", "Finally!",
            "Most read", "All rights reserved", "We use cookies", "Advertisement", "Photo: Ivar Lund", "Tove Almqvist",
        ] {
            #expect(!page.text.contains(boilerplate), "\(boilerplate) leaked into the text")
        }
        #expect(page.pageStatus == .article)
    }

    @Test func keepsHeadingsListsAndQuotesOfTheStory() throws {
        let page = try ExtractionFixtures.extract(ExtractionFixtures.cluttered())
        #expect(page.text.contains("What happens next"))
        #expect(page.text.contains("Tender published in June, with drawings on display"))
        #expect(page.text.contains("We finally have a plan that the whole island can live with"))
        // The headline is metadata, not body text.
        #expect(!page.text.contains("Ferry pier to be rebuilt after decade-long dispute"))
    }

    @Test func separatesParagraphsWithABlankLine() throws {
        let page = try ExtractionFixtures.extract(ExtractionFixtures.cluttered())
        let first = ExtractionFixtures.storyParagraphs[0]
        let second = ExtractionFixtures.storyParagraphs[1]
        #expect(page.text.contains(first + "\n\n" + second))
        #expect(!page.text.contains("\n\n\n"))
    }

    @Test func findsTextInDivsWithoutParagraphTags() throws {
        let body = ExtractionFixtures.storyParagraphs.joined(separator: "<br><br>")
        let html = """
            <html><body><div id="menu"><a href="/">Home</a> <a href="/about">About</a></div>
            <div class="post-text">\(body)</div>
            <div id="footer"><a href="/contact">Contact</a></div></body></html>
            """
        let page = try ExtractionFixtures.extract(html)
        for paragraph in ExtractionFixtures.storyParagraphs {
            #expect(page.text.contains(paragraph))
        }
        #expect(!page.text.contains("Contact"))
    }

    @Test func ignoresHiddenElements() throws {
        let html = ExtractionFixtures.cluttered().replacingOccurrences(
            of: "<h2>What happens next</h2>",
            with: "<div class=\"hidden\">Secret tracking text for robots only, not for readers at all.</div>"
                + "<p style=\"display: none\">Another invisible paragraph that nobody should ever read here.</p>"
        )
        let page = try ExtractionFixtures.extract(html)
        #expect(!page.text.contains("Secret tracking text"))
        #expect(!page.text.contains("invisible paragraph"))
        #expect(page.text.contains(ExtractionFixtures.storyParagraphs[0]))
    }

    @Test func anEmptyDocumentIsNotAnArticle() throws {
        let page = try ExtractionFixtures.extract("<html><body><p>Hi</p></body></html>")
        #expect(page.pageStatus == .notArticle)
    }
}

@Suite struct FurnitureLineTests {
    @Test func dropsShortFurnitureLinesInsideTheStory() throws {
        let furniture = [
            "By Reuters", "Image 2 of 5", "Reading time: 3 minutes", "Follow us on Facebook, Twitter and Instagram.",
            "Updated at 1:23 p.m.", "Anzeige", "https://courier.example/2024/05/14/ferry-pier-rebuilt",
        ]
        let lines = furniture.map { "<p>\($0)</p>" }.joined()
        let html = ExtractionFixtures.cluttered().replacingOccurrences(of: "<h2>What happens next</h2>", with: lines)
        let page = try ExtractionFixtures.extract(html)
        for line in furniture {
            #expect(!page.text.contains(line), "\(line) leaked into the text")
        }
        #expect(page.text.contains(ExtractionFixtures.storyParagraphs[3]))
    }

    @Test func keepsLinkedWordsInsideSentences() throws {
        let sentence = """
            <p><span>The mayor </span><a href="/people/brennick"><span>Orla Brennick</span></a><span> said the \
            vote was <a href="/x"><span>historic</span></a> and thanked the fishermen for their patience during \
            the long years of planning, hearings and appeals.</span>\
            <span class="card"><a href="/a">Brennick wins second term in a landslide vote</a> \
            <a href="/b">Council approves harbour lights after long debate</a></span></p>
            """
        let html = ExtractionFixtures.cluttered().replacingOccurrences(of: "<h2>What happens next</h2>", with: sentence)
        let page = try ExtractionFixtures.extract(html)
        #expect(page.text.contains("The mayor Orla Brennick said the vote was historic and thanked the fishermen"))
        #expect(!page.text.contains("Brennick wins second term"))
    }

    @Test func keepsProseInASectionWhoseClassHoldsAnUnlikelyWord() throws {
        // A collapsible section's wrapper styles its pane headers ("pane-header-alignment");
        // its prose is the story's. Comments under a plain wrapper still go.
        let method = [
            "To rank the ferries, we rode each route twice, in calm weather and in a winter gale, and timed every crossing.",
            "Comfort, punctuality, price and the crew's help with bicycles and prams each counted for a quarter of the score.",
            "Where two ferries tied, the one with the longer season and the better connection to the buses came first.",
            "Prices are those of an adult return ticket in high season, and we paid for every ticket ourselves.",
        ]
        let paragraphs = ExtractionFixtures.storyParagraphs.map { "<p>\($0)</p>" }.joined()
        let html = """
            <html><head><title>The best island ferries</title></head><body><article>
            <h1>The best island ferries, ranked by our reporters</h1><div class="entry-content">\(paragraphs)
            <div class="accordion-wrap accordion-pane-header-alignment-left"><div class="accordion-inner">
            <button>How we ranked them</button><div class="accordion-panel">
            \(method.map { "<p>\($0)</p>" }.joined())</div></div></div></div>
            <div class="comments"><p>Great list, but you forgot the night boat, which runs twice a week, and it is lovely.</p>
            <p>The gale crossing sounds awful, I would never do that, not for a ranking, not for anything.</p></div>
            </article></body></html>
            """
        let page = try ExtractionFixtures.extract(html)
        for paragraph in method { #expect(page.text.contains(paragraph)) }
        #expect(!page.text.contains("forgot the night boat"))
    }

    @Test func readsTheStoryFoldedIntoAnAccordion() throws {
        // Each step of a guide sits in an accordion pane that scripts unfold; the page ships
        // them with `display:none`. A `display:none` block outside an accordion stays hidden.
        let steps = ExtractionFixtures.storyParagraphs.enumerated().map { number, paragraph in
            """
            <div class="guide-accordion"><h2>Step \(number + 1)</h2>
            <div style="display:none"><div class="rich-text"><p>\(paragraph)</p></div></div></div>
            """
        }.joined()
        let html = """
            <html><head><title>Rebuilding a ferry pier, step by step</title></head><body><main>
            <h1>Rebuilding a ferry pier, step by step</h1>
            <p>The council's guide walks through the rebuilding of the pier, from the first survey to the opening.</p>
            <div class="accordion-list">\(steps)</div>
            <div style="display:none"><p>Next story: the island's new bus timetable, with later buses on Fridays and Saturdays.</p></div>
            </main></body></html>
            """
        let page = try ExtractionFixtures.extract(html)
        for paragraph in ExtractionFixtures.storyParagraphs { #expect(page.text.contains(paragraph)) }
        #expect(!page.text.contains("Next story"))
    }
}
