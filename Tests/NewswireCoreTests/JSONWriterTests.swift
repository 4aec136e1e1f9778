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

    /// Long texts are scanned eight bytes at a time: a character that needs an escape must be
    /// found at every offset inside and across those words, alone or next to another.
    @Test func escapesAtEveryOffsetOfALongText() throws {
        let specials = ["\"", "\\", "\n", "\r", "\t", "\u{1}", "\u{1F}", "\u{0}"]
        let harmless = [" ", "~", "\u{7F}", "é", "€", "!", "#", "]"]
        for length in 0..<27 {
            for position in 0...length {
                for (index, special) in specials.enumerated() {
                    var characters = Array(repeating: "a", count: length)
                    characters.insert(special, at: position)
                    characters.insert(harmless[index], at: (position * 7) % (length + 1))
                    if length > 3 { characters.insert(specials[(index + 1) % specials.count], at: length / 2) }
                    let text = characters.joined()
                    var json = JSONWriter()
                    json.value(text)
                    #expect(json.string == Self.reference(text), "\(text.debugDescription)")
                    let decoded = try JSONSerialization.jsonObject(with: Data(json.bytes), options: .fragmentsAllowed)
                    #expect(decoded as? String == text)
                }
            }
        }
    }

    /// The escapes JSON requires, one character at a time.
    private static func reference(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
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
