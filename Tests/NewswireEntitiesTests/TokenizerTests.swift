import Testing

@testable import NewswireEntities

@Suite struct TokenizerTests {
    private func words(_ text: String) -> [String] {
        let tokenized = Tokenizer.tokenize(text)
        return tokenized.tokens.indices.map { tokenized.string($0) }
    }

    private func sentences(_ text: String) -> [String] {
        let tokenized = Tokenizer.tokenize(text)
        return tokenized.sentences.map { sentence in
            tokenized.string(
                from: tokenized.tokens[sentence.lowerBound].start,
                to: tokenized.tokens[sentence.upperBound - 1].end
            )
        }
    }

    @Test(arguments: [
        ("Khyber-Pakhtunkhwa's police", ["Khyber-Pakhtunkhwa", "'s", "police"]),
        ("the U.S. Army said", ["the", "U.S.", "Army", "said"]),
        ("Mr. Okafor and Dr. J. Reyes", ["Mr.", "Okafor", "and", "Dr.", "J.", "Reyes"]),
        ("it cost $1,250.75 on 9/11.", ["it", "cost", "$", "1,250.75", "on", "9/11", "."]),
        ("\"We don't know,\" she said.", ["\"", "We", "do", "n't", "know", ",", "\"", "she", "said", "."]),
        ("O'Neill joined AT&T Corp.", ["O'Neill", "joined", "AT&T", "Corp."]),
        ("Lisbon\u{2019}s mayor (Mara Okafor)", ["Lisbon", "\u{2019}s", "mayor", "(", "Mara", "Okafor", ")"]),
        ("Wait... what?!", ["Wait", "...", "what", "?", "!"]),
        ("São Paulo, Zürich", ["São", "Paulo", ",", "Zürich"]),
    ])
    func splitsTokens(text: String, expected: [String]) {
        #expect(self.words(text) == expected)
    }

    @Test func keepsScalarOffsets() {
        let text = "Ünal met Ödegaard 🙂 in Tromsø."
        let tokenized = Tokenizer.tokenize(text)
        let scalars = Array(text.unicodeScalars)
        for index in tokenized.tokens.indices {
            let token = tokenized.tokens[index]
            var expected = String.UnicodeScalarView()
            expected.append(contentsOf: scalars[token.start..<token.end])
            #expect(tokenized.string(index) == String(expected))
        }
        // The emoji is one scalar: "in" starts at offset 20.
        #expect(tokenized.tokens.map(\.start).contains(20))
    }

    @Test func splitsSentences() {
        let text = """
            Mr. Okafor arrived in Lisbon on Monday. He met the U.S. envoy. "It went well," \
            he said. Was it? Yes!
            A new paragraph starts here
            and J. R. Reyes spoke at 3 p.m. on Friday.
            """
        #expect(
            self.sentences(text) == [
                "Mr. Okafor arrived in Lisbon on Monday.",
                "He met the U.S. envoy.",
                "\"It went well,\" he said.",
                "Was it?",
                "Yes!",
                "A new paragraph starts here",
                "and J. R. Reyes spoke at 3 p.m. on Friday.",
            ]
        )
    }

    @Test func keepsClosingQuotesWithTheSentence() {
        #expect(self.sentences("She said \"no.\" Then she left.") == ["She said \"no.\"", "Then she left."])
    }

    @Test func doesNotSplitBeforeLowerCase() {
        #expect(self.sentences("The score was 2.5 vs. 3. then it rained.").count == 1)
    }

    @Test func handlesEmptyAndBlankText() {
        #expect(Tokenizer.tokenize("").tokens.isEmpty)
        #expect(Tokenizer.tokenize(" \n\t ").sentences.isEmpty)
    }
}
