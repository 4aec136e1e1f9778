/// Guesses the language of a text from its script and its most frequent short words.
///
/// Used only when the page declares no language. Covers the scripts that identify a
/// language on their own and the common Latin-script languages by function words.
enum LanguageGuess {
    static func language(of fullText: String) -> String? {
        let text = String(fullText.unicodeScalars.prefix(4000))
        var kana = 0
        var han = 0
        var hangul = 0
        var cyrillic = 0
        var arabic = 0
        var greek = 0
        var hebrew = 0
        var latin = 0
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x3040...0x30FF: kana += 1
            case 0x4E00...0x9FFF: han += 1
            case 0xAC00...0xD7AF: hangul += 1
            case 0x0400...0x04FF: cyrillic += 1
            case 0x0600...0x06FF: arabic += 1
            case 0x0370...0x03FF: greek += 1
            case 0x0590...0x05FF: hebrew += 1
            case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F: latin += 1
            default: break
            }
        }
        let total = kana + han + hangul + cyrillic + arabic + greek + hebrew + latin
        guard total >= 20 else { return nil }
        if kana > total / 20 { return "ja" }
        if han > total / 3 { return "zh" }
        if hangul > total / 3 { return "ko" }
        if arabic > total / 3 { return "ar" }
        if greek > total / 3 { return "el" }
        if hebrew > total / 3 { return "he" }
        var counts: [String: Int] = [:]
        for word in text.lowercased().split(whereSeparator: { !$0.isLetter }).prefix(800) {
            if let language = Self.functionWords[String(word)] { counts[language, default: 0] += 1 }
        }
        if cyrillic > total / 3 {
            let ukrainian = counts["uk", default: 0]
            return ukrainian > counts["ru", default: 0] ? "uk" : "ru"
        }
        guard let best = counts.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }),
            best.value >= 3
        else { return nil }
        return best.key
    }

    private static let functionWords: [String: String] = {
        let lists: [(String, [String])] = [
            ("en", ["the", "and", "of", "to", "is", "that", "with", "for", "was", "this", "are", "have", "it"]),
            ("de", ["der", "die", "und", "das", "ist", "nicht", "mit", "sich", "auch", "ein", "eine", "auf", "dem"]),
            ("fr", ["le", "les", "des", "est", "une", "dans", "pour", "qui", "pas", "sur", "avec", "du", "au"]),
            ("es", ["el", "los", "las", "del", "que", "por", "una", "con", "para", "es", "como", "pero", "más"]),
            ("it", ["il", "della", "che", "di", "gli", "per", "una", "sono", "non", "con", "nel", "anche", "è"]),
            ("pt", ["os", "não", "uma", "com", "para", "do", "da", "dos", "em", "mais", "como", "foi", "ao"]),
            ("nl", ["het", "een", "van", "niet", "op", "voor", "zijn", "met", "dat", "ook", "naar", "maar", "bij"]),
            ("sv", ["och", "att", "det", "som", "är", "för", "på", "med", "inte", "av", "till", "har", "den"]),
            ("pl", ["się", "nie", "na", "jest", "że", "do", "przez", "jak", "od", "ale", "tak", "dla", "są"]),
            ("ru", ["и", "в", "не", "на", "что", "с", "по", "это", "как", "он", "из", "за", "так"]),
            ("uk", ["і", "та", "що", "не", "на", "це", "як", "від", "він", "його", "але", "для", "є"]),
        ]
        var table: [String: String] = [:]
        for (language, words) in lists {
            for word in words where table[word] == nil { table[word] = language }
        }
        return table
    }()
}
