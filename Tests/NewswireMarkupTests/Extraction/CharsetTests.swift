import NewswireCore
import NewswireMarkup
import Testing

@Suite struct CharsetTests {
    private static let sentence =
        "Smörgåsbord och kaffe på Café Ålö: ägaren Zoë Brännström öppnar igen efter renoveringen i vår."

    private static func page(meta: String) -> String {
        """
        <html><head>\(meta)<title>Café</title></head><body><article>
        <p>\(Self.sentence) Gästerna kan återvända redan på lördag, och menyn är densamma som förut.</p>
        <p>\(Self.sentence) Priserna har inte höjts, säger hon, trots att kostnaderna har ökat under året.</p>
        </article></body></html>
        """
    }

    @Test func utf8BytesUnderALatin1Declaration() throws {
        let bytes = Array(Self.page(meta: "<meta charset=\"iso-8859-1\">").utf8)
        let page = try ExtractionFixtures.extract(bytes: bytes)
        #expect(page.text.contains(Self.sentence))
        #expect(page.encoding == "utf-8")
    }

    @Test func latin1BytesUnderAUTF8Declaration() throws {
        let bytes = Self.page(meta: "<meta charset=\"utf-8\">").unicodeScalars.map {
            UInt8(truncatingIfNeeded: $0.value)
        }
        let page = try ExtractionFixtures.extract(bytes: bytes)
        #expect(page.text.contains(Self.sentence))
        #expect(page.encoding == "windows-1252")
    }

    @Test func windows1252FromTheHTTPHeader() throws {
        let bytes = Self.page(meta: "").unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
        let page = try ExtractionFixtures.extract(bytes: bytes, contentType: "text/html; charset=windows-1252")
        #expect(page.text.contains(Self.sentence))
    }

    private static let chinese = "港口委员会周二投票决定重建旧渡轮码头，结束了这个岛屿小镇十多年的争论。市长表示新码头将使用回收木材建造。"

    @Test func utf8BytesUnderAGB2312Declaration() throws {
        let html = """
            <html><head><meta charset="gb2312"><title>码头</title></head><body><article>
            <p>\(Self.chinese)</p><p>\(Self.chinese)</p><p>\(Self.chinese)</p></article></body></html>
            """
        let page = try ExtractionFixtures.extract(bytes: Array(html.utf8))
        #expect(page.text.contains(Self.chinese))
        #expect(page.encoding == "utf-8")
    }

    @Test func realGB2312BytesStayGB2312() throws {
        // "中国人" in GB2312 (D6D0 B9FA C8CB): not valid UTF-8, so the label stands.
        let word: [UInt8] = [0xD6, 0xD0, 0xB9, 0xFA, 0xC8, 0xCB]
        var bytes = Array("<html><head><meta charset=\"gb2312\"><title>t</title></head><body><article><p>".utf8)
        for _ in 0..<40 { bytes += word + [0x20] }
        bytes += Array("</p></article></body></html>".utf8)
        let page = try ExtractionFixtures.extract(bytes: bytes)
        #expect(page.encoding == "gbk")  // the label canonicalised: GBK is a superset of GB2312
        #expect(page.text.contains("中国人"))
    }
}
