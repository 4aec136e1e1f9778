import Foundation
import NewswireCore
import Testing

@Suite struct CharsetTests {
    private let latin1Text = "Renée sold crème brûlée in Düsseldorf"

    @Test func aByteOrderMarkWinsOverEverything() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("<p>Zoë</p>".utf8)
        let decoded = Charset.decode(bytes, contentType: "text/html; charset=iso-8859-1", kind: .html)
        #expect(decoded.encoding == "utf-8")
        #expect(decoded.string == "<p>Zoë</p>")
    }

    @Test func utf16WithAByteOrderMark() {
        let bytes: [UInt8] =
            [0xFF, 0xFE] + Array("<rss>Łódź</rss>".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        let decoded = Charset.decode(bytes, contentType: nil, kind: .xml)
        #expect(decoded.encoding == "utf-16le")
        #expect(decoded.string == "<rss>Łódź</rss>")
    }

    @Test func theHTTPCharsetIsUsed() {
        let bytes = Array(self.latin1Text.data(using: .isoLatin1)!)
        let decoded = Charset.decode(bytes, contentType: "text/html; charset=ISO-8859-1", kind: .html)
        #expect(decoded.encoding == "windows-1252")
        #expect(decoded.string == self.latin1Text)
    }

    @Test func windows1252PunctuationDecodes() {
        // 0x93/0x94 are curly quotes and 0x80 the euro sign in windows-1252, C1 controls in ISO-8859-1.
        let bytes: [UInt8] = [0x93] + Array("5".utf8) + [0x80, 0x94]
        let decoded = Charset.decode(bytes, contentType: "text/plain; charset=iso-8859-1", kind: .text)
        #expect(decoded.string == "“5€”")
    }

    @Test func theMetaCharsetIsReadWhenHTTPIsSilent() {
        let html =
            "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"></head><body>\(self.latin1Text)</body></html>"
        let decoded = Charset.decode(Array(html.data(using: .windowsCP1252)!), contentType: "text/html", kind: .html)
        #expect(decoded.encoding == "windows-1252")
        #expect(decoded.string.contains(self.latin1Text))
    }

    @Test func theXMLDeclarationIsReadForFeeds() {
        let xml = "<?xml version='1.0' encoding='ISO-8859-1'?><rss><title>\(self.latin1Text)</title></rss>"
        let decoded = Charset.decode(Array(xml.data(using: .isoLatin1)!), contentType: nil, kind: .xml)
        #expect(decoded.string.contains(self.latin1Text))
    }

    @Test func utf8BytesWinOverALatin1Label() {
        let html = "<meta charset=\"iso-8859-1\"><p>\(self.latin1Text)</p>"
        let decoded = Charset.decode(Array(html.utf8), contentType: nil, kind: .html)
        #expect(decoded.encoding == "utf-8")
        #expect(decoded.overruled)
        #expect(decoded.string.contains(self.latin1Text))
    }

    @Test func latin1BytesWinOverAUTF8Label() {
        let decoded = Charset.decode(
            Array(self.latin1Text.data(using: .isoLatin1)!),
            contentType: "text/html; charset=utf-8",
            kind: .html
        )
        #expect(decoded.encoding == "windows-1252")
        #expect(decoded.string == self.latin1Text)
    }

    @Test func undeclaredLatin1FallsBackToWindows1252() {
        let decoded = Charset.decode(Array(self.latin1Text.data(using: .isoLatin1)!), contentType: nil, kind: .html)
        #expect(decoded.encoding == "windows-1252")
        #expect(decoded.string == self.latin1Text)
    }

    @Test func oneBadByteDoesNotRuinUTF8() {
        var bytes = Array("Kraków, Gdańsk and Wrocław; Łódź too".utf8)
        bytes.insert(0xFF, at: 8)
        let decoded = Charset.decode(bytes, contentType: nil, kind: .text)
        #expect(decoded.encoding == "utf-8")
        #expect(decoded.string.contains("Gdańsk and Wrocław"))
        #expect(decoded.string.contains("\u{FFFD}"))
    }

    @Test func otherCharsetsGoThroughIconv() {
        let text = "東京の天気"
        let bytes = Array(text.data(using: .shiftJIS)!)
        let decoded = Charset.decode(bytes, contentType: "text/html; charset=Shift_JIS", kind: .html)
        #expect(decoded.encoding == "shift_jis")
        #expect(decoded.string == text)
    }

    @Test func anUnknownLabelFallsBackToTheBytes() {
        let decoded = Charset.decode(
            Array("plain ascii".utf8),
            contentType: "text/html; charset=x-made-up",
            kind: .html
        )
        #expect(decoded.string == "plain ascii")
    }

    @Test(
        arguments: [
            ("text/html; charset=UTF-8", "UTF-8"),
            ("text/html;charset=\"iso-8859-1\"", "iso-8859-1"),
            ("application/rss+xml", nil),
        ] as [(String, String?)]
    )
    func readsTheContentTypeParameter(value: String, label: String?) {
        #expect(Charset.label(fromContentType: value) == label)
    }

    @Test(
        arguments: [
            ("<html><head><META CharSet = \"  ISO-8859-2 \" ></head>", "iso-8859-2"),
            ("<meta charset=koi8-r/><p>text</p>", "koi8-r"),
            ("<meta name=x data-charset=\"big5\"><meta charset='euc-jp'>", "euc-jp"),
            ("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">", "shift_jis"),
            ("<meta http-equiv=\"refresh\" content=\"5; url=/x-charset=gbk\">", nil),
            ("<p>caf\u{E9}</p><meta content=\"a\" charset=\"utf-8\"", "utf-8"),
            ("<html><body>no declaration</body></html>", nil),
        ] as [(String, String?)]
    )
    func readsTheMetaDeclaration(html: String, label: String?) {
        // The raw label may keep a closing quote (`charset=x"` inside a content value): compare canonical labels.
        #expect(Charset.htmlMetaLabel(Array(html.utf8)).flatMap(Charset.canonicalLabel) == label)
    }

    @Test func readsTheXMLDeclaration() {
        #expect(Charset.xmlDeclarationLabel(Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss/>".utf8)) == "utf-8")
        #expect(Charset.xmlDeclarationLabel(Array("<?xml version='1.0'?><rss encoding='x'/>".utf8)) == nil)
        let utf16 = Array("<?xml version=\"1.0\" encoding=\"UTF-16\"?>".utf16.flatMap { [UInt8($0 & 0xFF), 0] })
        #expect(Charset.xmlDeclarationLabel(utf16) == "utf-16")
    }
}
