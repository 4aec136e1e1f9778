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
}
