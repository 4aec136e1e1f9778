import NewswireCore

/// A deterministic generator of invented news articles and their variants.
///
/// Articles are built from sentence patterns filled with a topic's vocabulary, a shared general
/// vocabulary (both invented words, sampled with a skew towards frequent ones, as in real
/// text) and the names of one event (people, an organisation, a place, numbers). A hard
/// negative reuses the event and topic but draws new sentences: a different report of the
/// same event.

extension SeededGenerator {
    /// An index in `0..<count` skewed towards 0 (frequent words first).
    mutating func skewed(_ count: Int) -> Int {
        let unit = self.nextUnit()
        return min(count - 1, Int(Double(count) * unit * unit * unit))
    }
}

/// One event: the names every report of it shares.
struct Event {
    var topic: Int
    var people: [String]
    var surnames: [String]
    var organisation: String
    var place: String
    var numbers: [String]
    var day: String
}

/// An article as paragraphs of words.
struct SyntheticArticle {
    var title: String
    var paragraphs: [[String]]

    var text: String { self.paragraphs.map { $0.joined(separator: " ") }.joined(separator: "\n\n") }
    var wordCount: Int { self.paragraphs.reduce(0) { $0 + $1.count } }
}

/// The kinds of variant the evaluation measures.
enum VariantKind: String, CaseIterable {
    case copy, boilerplate, headline, reorder, drop, add
    case replace5 = "replace_5%"
    case replace10 = "replace_10%"
    case replace20 = "replace_20%"
}

struct SyntheticCorpus {
    let generalWords: [String]
    let topicWords: [[String]]
    let givenNames: [String]
    let familyNames: [String]
    let placeNames: [String]
    let organisationWords: [String]

    init(seed: UInt64 = 7, topics: Int = 48) {
        var random = SeededGenerator(seed: seed)
        var seen = Set<String>()
        func invent(_ syllableCounts: ClosedRange<Int>, capitalised: Bool = false) -> String {
            while true {
                var word = ""
                for _ in 0..<Int.random(in: syllableCounts, using: &random) {
                    word += onsets.randomElement(using: &random)! + vowels.randomElement(using: &random)!
                    if Int.random(in: 0..<3, using: &random) == 0 { word += codas.randomElement(using: &random)! }
                }
                if word.count >= 3, seen.insert(word).inserted {
                    return capitalised ? word.prefix(1).uppercased() + word.dropFirst() : word
                }
            }
        }
        self.generalWords = commonWords + (0..<6000).map { _ in invent(1...3) }
        self.topicWords = (0..<topics).map { _ in (0..<220).map { _ in invent(2...3) } }
        self.givenNames = (0..<3000).map { _ in invent(2...3, capitalised: true) }
        self.familyNames = (0..<8000).map { _ in invent(2...4, capitalised: true) }
        self.placeNames = (0..<4000).map { _ in invent(2...3, capitalised: true) }
        self.organisationWords = (0..<2000).map { _ in invent(2...3, capitalised: true) }
    }

    /// A new event, drawn with `random`.
    func event(using random: inout SeededGenerator) -> Event {
        let people = (0..<3).map { _ in
            (self.givenNames.randomElement(using: &random)!, self.familyNames.randomElement(using: &random)!)
        }
        let organisation =
            self.organisationWords.randomElement(using: &random)! + " "
            + organisationSuffixes.randomElement(using: &random)!
        return Event(
            topic: Int.random(in: 0..<self.topicWords.count, using: &random),
            people: people.map { "\($0.0) \($0.1)" },
            surnames: people.map(\.1),
            organisation: organisation,
            place: self.placeNames.randomElement(using: &random)!,
            numbers: (0..<3).map { _ in String(Int.random(in: 2...990, using: &random)) },
            day: days.randomElement(using: &random)!
        )
    }

    /// An article of about `words` words about `event`.
    func article(about event: Event, words: Int = 300, using random: inout SeededGenerator) -> SyntheticArticle {
        var paragraphs: [[String]] = []
        var total = 0
        while total < words {
            let paragraph = self.paragraph(about: event, using: &random)
            total += paragraph.count
            paragraphs.append(paragraph)
        }
        let title = self.sentence(about: event, using: &random).dropLast().joined(separator: " ")
        return SyntheticArticle(title: title, paragraphs: paragraphs)
    }

    func paragraph(about event: Event, using random: inout SeededGenerator) -> [String] {
        (0..<Int.random(in: 2...4, using: &random)).flatMap { _ in self.sentence(about: event, using: &random) }
    }

    func sentence(about event: Event, using random: inout SeededGenerator) -> [String] {
        let pattern = patterns.randomElement(using: &random)!
        var words: [String] = []
        for slot in pattern.split(separator: " ") {
            switch slot {
            case "N", "V", "A":
                if Int.random(in: 0..<100, using: &random) < 55 {
                    let topic = self.topicWords[event.topic]
                    words.append(topic[random.skewed(topic.count)])
                } else {
                    words.append(self.generalWords[random.skewed(self.generalWords.count)])
                }
            case "P": words += event.people.randomElement(using: &random)!.split(separator: " ").map(String.init)
            case "S": words.append(event.surnames.randomElement(using: &random)!)
            case "O": words += event.organisation.split(separator: " ").map(String.init)
            case "L": words.append(event.place)
            case "D": words.append(event.day)
            case "#": words.append(event.numbers.randomElement(using: &random)!)
            default: words.append(String(slot))
            }
        }
        if var first = words.first {
            first = first.prefix(1).uppercased() + first.dropFirst()
            words[0] = first
        }
        words[words.count - 1] += "."
        return words
    }

    /// A variant of `source` of the given kind.
    func variant(
        _ kind: VariantKind,
        of source: SyntheticArticle,
        event: Event,
        using random: inout SeededGenerator
    ) -> SyntheticArticle {
        var result = source
        switch kind {
        case .copy:
            break
        case .boilerplate:
            let line = boilerplates.randomElement(using: &random)!.split(separator: " ").map(String.init)
            if Bool.random(using: &random) {
                result.paragraphs.append(line)
            } else {
                result.paragraphs.insert(line, at: 0)
            }
        case .headline:
            result.title = self.sentence(about: event, using: &random).dropLast().joined(separator: " ")
        case .reorder:
            var order = Array(result.paragraphs.indices)
            while order == Array(result.paragraphs.indices) { order.shuffle(using: &random) }
            result.paragraphs = order.map { source.paragraphs[$0] }
        case .drop:
            result.paragraphs.remove(at: Int.random(in: 0..<result.paragraphs.count, using: &random))
        case .add:
            let at = Int.random(in: 0...result.paragraphs.count, using: &random)
            result.paragraphs.insert(self.paragraph(about: event, using: &random), at: at)
        case .replace5: result = self.replacing(0.05, in: source, using: &random)
        case .replace10: result = self.replacing(0.10, in: source, using: &random)
        case .replace20: result = self.replacing(0.20, in: source, using: &random)
        }
        return result
    }

    /// Replaces `fraction` of the words (chosen at random) with other words.
    private func replacing(
        _ fraction: Double,
        in source: SyntheticArticle,
        using random: inout SeededGenerator
    ) -> SyntheticArticle {
        var positions: [(Int, Int)] = []
        for (paragraph, words) in source.paragraphs.enumerated() {
            for word in words.indices { positions.append((paragraph, word)) }
        }
        positions.shuffle(using: &random)
        var result = source
        for (paragraph, word) in positions.prefix(Int((Double(positions.count) * fraction).rounded())) {
            result.paragraphs[paragraph][word] = self.generalWords[random.skewed(self.generalWords.count)]
        }
        return result
    }
}

private let onsets = [
    "b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br", "cr", "dr", "gr",
    "pr", "tr", "st", "sl", "pl", "bl", "fl", "kl", "sh", "ch", "th", "",
]
private let vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io", "y"]
private let codas = ["n", "r", "l", "s", "t", "m", "nd", "rt", "st", "x", "ck"]
private let days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
private let organisationSuffixes = [
    "Council", "Authority", "Group", "Holdings", "Institute", "Union", "Agency", "Party",
]

/// Frequent real content words, so the general vocabulary starts like a real one.
private let commonWords = [
    "year", "people", "time", "government", "day", "week", "city", "country", "state", "company", "money", "plan",
    "report", "police", "official", "minister", "court", "market", "price", "school", "family", "group", "home",
    "water", "road", "area", "service", "health", "work", "number", "million", "public", "local", "new", "old",
    "first", "last", "early", "late", "major", "small", "large", "said", "told", "made", "found", "called",
    "expected", "announced", "confirmed", "warned", "agreed", "reported", "planned", "rejected", "opened",
]

/// Sentence patterns: N noun, V verb, A adjective, P a person, S a surname, O the organisation,
/// L the place, D the day, # a number; anything else is copied.
private let patterns = [
    "P , the A N of the O , V the N on D",
    "the O V that the A N would V the N by D",
    "in L , the N and the N V after the A N",
    "S V that the N was A and V a N for the N",
    "officials at the O V # N to the A N of L",
    "a N from L V that the N had V the A N",
    "the A N V more than # N in L last N",
    "P V the O of V the N without a A N",
    "according to S , the N will V the N before the N",
    "the N in L V A after the O V its N",
    "S and S V the A N at a N on D",
    "it was the A N since the N V the N of L",
    "the O V # N for the N , S V",
    "A N in L V the N as the N V",
    "critics of the O V the N and the A N",
    "P V reporters that the N could V within # N",
    "the N of L V A , with the N V by the O",
    "residents V the A N and V for a N",
    "S V to V the N , V the A N",
    "by D the N had V to # N in L",
    "the A N of the N V the N of the O",
    "supporters V the N while the O V the A N",
    "a A N V the N , V S",
    "the N V in L on D when the N V",
]

private let boilerplates = [
    "Sign up for our daily newsletter to get the latest headlines delivered to your inbox every morning",
    "This article was updated with additional reporting and corrections from our local news desk",
    "Follow us on social media for breaking news alerts live coverage and exclusive interviews",
    "Copyright all rights reserved this material may not be published broadcast rewritten or redistributed",
    "Read more stories like this in our weekly edition and support independent local journalism today",
    "Reporting by our correspondents additional reporting by agencies editing by the news desk",
]
