import Foundation
import NewswireCore
import Testing

@Suite struct JSONWriterTests {
    @Test func writesKeysInOrderAndLeavesOutNil() {
        var json = JSONWriter()
        json.beginObject()
        json.field("b", "two")
        json.field("a", 1)
        json.field("missing", nil as String?)
        json.field("list", ["x", "y"])
        json.field("empty", [String]())
        json.key("nested")
        json.beginArray()
        json.beginObject()
        json.field("ok", true)
        json.endObject()
        json.null()
        json.endArray()
        json.endObject()
        #expect(json.string == #"{"b":"two","a":1,"list":["x","y"],"nested":[{"ok":true},null]}"#)
    }

    @Test func escapesWhatJSONRequires() throws {
        var json = JSONWriter()
        let text = "quote \" backslash \\ newline \n tab \t bell \u{7} é 😀"
        json.beginArray()
        json.value(text)
        json.endArray()
        let decoded = try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String]
        #expect(decoded == [text])
        #expect(json.string.contains("\\u0007"))
    }

    @Test func articlesRoundTripThroughJSON() throws {
        var article = Article(sequence: SequenceNumber(feed: 0, item: 1), url: "https://paper.example/a")
        article.id = "00000000000000ab"
        article.title = "Harbour vote"
        article.text = "One two three.\n\nFour five."
        article.published = Date(timeIntervalSince1970: 1_763_000_000)
        article.revision = 1
        let object = try #require(try JSONSerialization.jsonObject(with: Data(article.jsonLine.utf8)) as? [String: Any])
        #expect(object["word_count"] as? Int == 5)
        #expect(object["published"] as? String == "2025-11-13T02:13:20Z")
        #expect(object["page_status"] as? String == "article")
        #expect(object["authors"] == nil)
        #expect(article.jsonLine.hasPrefix(#"{"id":"00000000000000ab","url":"https://paper.example/a""#))
    }
}
