import NewswireCore
import Testing

/// A UTF-8 document with a few broken sequences stays UTF-8 (with U+FFFD), while Latin-1
/// bytes without any valid multi-byte sequence are still read as windows-1252.
@Suite struct CharsetRepairTests {
    @Test func mostlyValidUTF8KeepsItsCharset() {
        let bytes =
            Array("<p>Zoë met “Renée” at the café</p><p>bad ".utf8) + [0xFF] + Array(" and ".utf8) + [0xC3, 0x28]
            + Array("</p>".utf8)
        for kind in [Charset.DocumentKind.html, .xml, .text] {
            let decoded = Charset.decode(bytes, contentType: nil, kind: kind)
            #expect(decoded.encoding == "utf-8")
            #expect(decoded.string.hasPrefix("<p>Zoë met “Renée” at the café</p>"))
            #expect(decoded.string.contains("\u{FFFD}"))
        }
    }

    @Test func latin1WithoutMultiByteSequencesIsStillWindows1252() {
        let bytes: [UInt8] = Array("Ren".utf8) + [0xE9, 0x65] + Array(" sold cr".utf8) + [0xE8] + Array("me".utf8)
        let decoded = Charset.decode(bytes, contentType: nil, kind: .text)
        #expect(decoded.encoding == "windows-1252")
        #expect(decoded.string == "Renée sold crème")
    }
}
