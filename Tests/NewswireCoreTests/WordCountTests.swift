import NewswireCore
import Testing

@Suite struct WordCountTests {
    /// The byte-level count against the definition: runs of alphabetic or numeric scalars.
    @Test(arguments: [
        "",
        "One two  three.",
        "Café naïve façade — déjà vu",
        "東京 and 大阪 and 北京",
        "x-y, 3.14, 2nd; ½ ٣ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and emoji 🙂 between",
        "Ελληνικά κείμενα και русский текст",
        "tabs\tand\nnew\u{00A0}lines",
    ])
    func countsWordsAsScalars(text: String) {
        var article = Article(sequence: SequenceNumber(round: 0, feed: 0, item: 0), url: "http://127.0.0.1/a")
        article.text = text
        var expected = 0
        var inWord = false
        for scalar in text.unicodeScalars {
            let letter = scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            if letter && !inWord { expected += 1 }
            inWord = letter
        }
        #expect(article.countWords() == expected)
    }
}
