extension EntityTagger {
    /// Tags the tokens of a CoNLL-format text (first column), one document per `-DOCSTART-`
    /// section, without re-tokenising.
    ///
    /// - Returns: one `token tag` line per token line (IOB2 tags), blank lines and `-DOCSTART-`
    ///   lines kept where they were, so the output lines up with the input for scoring.
    package func tagConll(_ text: String) -> String {
        enum Line {
            case blank
            case documentStart
            case token(String)
        }
        var lines: [Line] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let columns = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if columns.isEmpty {
                lines.append(.blank)
            } else if columns[0] == "-DOCSTART-" {
                lines.append(.documentStart)
            } else {
                lines.append(.token(String(columns[0])))
            }
        }
        if text.hasSuffix("\n"), case .blank = lines.last { lines.removeLast() }

        var output = ""
        var document: [[String]] = []
        var sentence: [String] = []
        var pending: [Line] = []
        func flush() {
            if !sentence.isEmpty { document.append(sentence) }
            sentence = []
            let tags = self.tag(TokenizedText(sentences: document))
            var next = 0
            for line in pending {
                switch line {
                case .blank: output += "\n"
                case .documentStart: output += "-DOCSTART- O\n"
                case .token(let word):
                    output += word + " " + Self.iob2(tags, at: next) + "\n"
                    next += 1
                }
            }
            document = []
            pending = []
        }
        for line in lines {
            switch line {
            case .documentStart:
                flush()
                pending.append(line)
            case .blank:
                if !sentence.isEmpty { document.append(sentence) }
                sentence = []
                pending.append(line)
            case .token(let word):
                sentence.append(word)
                pending.append(line)
            }
        }
        flush()
        return output
    }

    /// The IOB2 name of the BILOU tag at `index` (`U` becomes `B`, `L` becomes `I`).
    private static func iob2(_ tags: [Int], at index: Int) -> String {
        let tag = tags[index]
        guard tag != 0 else { return "O" }
        let position = TagSet.position(of: tag)
        let prefix = position == TagSet.begin || position == TagSet.unit ? "B-" : "I-"
        return prefix + TagSet.types[TagSet.type(of: tag)]
    }
}

extension EntityTagger {
    /// The number of tokens the tokeniser finds in `text` (for benchmarks).
    public func tokenCount(_ text: String) -> Int { Tokenizer.tokenize(text).tokens.count }
}
