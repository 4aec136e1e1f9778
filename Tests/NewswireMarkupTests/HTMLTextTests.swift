import NewswireMarkup
import Testing

@Suite struct HTMLTextTests {
    @Test(arguments: [
        ("Plain   text\n  here ", "Plain text\nhere"),
        ("<p>One <b>bold</b> move.</p><p>Second &amp; last.</p>", "One bold move.\n\nSecond & last."),
        ("Caf&eacute; <script>alert(1)</script>open<br>late", "Café open\nlate"),
        ("<ul><li>first</li><li>second</li></ul>", "first\n\nsecond"),
        ("", ""),
    ])
    func extractsPlainText(html: String, text: String) {
        LibXML2.initialize()
        #expect(HTMLText.plainText(fromFragment: html) == text)
    }
}
