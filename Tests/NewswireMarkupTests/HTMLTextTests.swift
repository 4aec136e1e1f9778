import NewswireMarkup
import Testing

@Suite struct HTMLTextTests {
    @Test(arguments: [
        ("Plain   text\n  here ", "Plain text\nhere"),
        ("<p>One <b>bold</b> move.</p><p>Second &amp; last.</p>", "One bold move.\n\nSecond & last."),
        ("Caf&eacute; <script>alert(1)</script>open<br>late", "Café open\nlate"),
        ("<ul><li>first</li><li>second</li></ul>", "first\n\nsecond"),
        ("", ""),
        // Implied end tags, nested skipped elements, comments and a charset that must not switch.
        ("<p>one<p>two<div>three</div>four", "one\n\ntwo\n\nthree\n\nfour"),
        ("a<noscript><p>hidden <b>too</b></p></noscript>b<template><i>x</i></template>c", "abc"),
        ("<style>p { color: red }</style>Start<!-- note --> end", "Start end"),
        ("<meta charset=\"iso-8859-1\">Z\u{FC}rich &lt;3 &#x263A;", "Z\u{FC}rich <3 \u{263A}"),
        ("<p>  spaced \u{00A0} out  </p><p>\n</p><p>last</p>", "spaced out\n\nlast"),
        ("a < b &amp;&amp; c > d", "a < b && c > d"),
    ])
    func extractsPlainText(html: String, text: String) {
        LibXML2.initialize()
        #expect(HTMLText.plainText(fromFragment: html) == text)
    }
}
