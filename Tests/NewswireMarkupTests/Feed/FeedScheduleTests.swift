import Foundation
import NewswireCore
import NewswireMarkup
import Testing

/// A feed's own polling hints: RSS `ttl`, `skipHours`, `skipDays` and the syndication module.
@Suite struct FeedScheduleTests {
    @Test func readsRSSHints() {
        let feed = parseFeed(
            """
            <rss version="2.0"><channel><title>Harbour Gazette</title><ttl>45</ttl>
            <skipHours><hour>0</hour><hour>1</hour><hour>24</hour><hour>31</hour></skipHours>
            <skipDays><day>Sunday</day><day>saturday</day><day>Someday</day></skipDays>
            <item><title>Ferry timetable changes</title><link>https://harbour.example/ferry</link><ttl>5</ttl></item>
            </channel></rss>
            """
        )
        #expect(feed.metadata.schedule.ttlMinutes == 45)
        #expect(feed.metadata.schedule.skipHours == [0, 1])
        #expect(feed.metadata.schedule.skipDays == [1, 7])
        #expect(feed.entries.count == 1)
    }

    @Test func readsSyndicationModule() {
        let feed = parseFeed(
            """
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
                xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">
            <channel rdf:about="https://harbour.example/"><title>Harbour Gazette</title>
            <sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency></channel>
            <item rdf:about="https://harbour.example/tide"><title>Tide tables</title>
            <link>https://harbour.example/tide</link></item></rdf:RDF>
            """
        )
        #expect(feed.metadata.schedule.updatePeriod == "hourly")
        #expect(feed.metadata.schedule.updateFrequency == 4)
        #expect(feed.metadata.schedule.syndicationInterval == 900)
        #expect(feed.entries.first?.title == "Tide tables")
    }

    @Test func feedWithoutHintsHasAnEmptySchedule() {
        let feed = parseFeed(
            """
            <feed xmlns="http://www.w3.org/2005/Atom"><title>Atoll Times</title>
            <entry><title>Reef survey</title><link href="https://atoll.example/reef"/><id>r1</id></entry></feed>
            """
        )
        #expect(feed.metadata.schedule.isEmpty)
    }
}
