import Foundation
import NewswireCore

/// One tagged mention of an entity in an article.
package struct Mention: Sendable, Hashable {
    /// The type index (see ``TagSet/types``).
    package var type: Int
    /// The mention's tokens.
    package var words: [String]
    /// Half-open Unicode scalar offsets into the text, or into the title when `inTitle`.
    package var start: Int
    package var end: Int
    package var inTitle: Bool
    /// The mention as written.
    package var text: String

    package init(type: Int, words: [String], start: Int, end: Int, inTitle: Bool, text: String) {
        self.type = type
        self.words = words
        self.start = start
        self.end = end
        self.inTitle = inTitle
        self.text = text
    }
}

/// Groups the mentions of one article into entities.
///
/// Mentions group when they are the same name up to case, possessives, a leading title or
/// honorific ("Mr. Reeves" is "Reeves") and demonyms of several words ("Pakistani Army",
/// "Pakistan Army's"); when one is the acronym of the other in either order
/// ("Counter-Terrorism Department", "CTD"); and when a shorter form repeats part of a longer
/// one: a surname or first name of a person ("Khan" after "Imran Khan"), the first words of an
/// organisation no other name of the article contains ("Northwind" for "Northwind Ferries"),
/// a generic head noun naming the one organisation of the article it heads ("Union" for "Union
/// of Rail Workers", "the Council" for "Aldermoor City Council"), or the first or last two or more
/// words of another name. Title and body mentions link alike. A group takes the type most of its
/// mentions have. Immutable; safe from any thread.
package struct EntityLinker: Sendable {
    /// Lower-cased demonym to lower-cased place ("pakistani" → "pakistan").
    private var demonyms: [String: String]
    /// Lower-cased words that end organisation names and say little alone ("union", "council").
    private var genericWords: Set<String>

    package init(demonyms: [String: String] = [:], genericWords: Set<String> = defaultGenericWords) {
        self.demonyms = demonyms
        self.genericWords = genericWords
    }

    /// Words that head organisation names, besides those of `gazetteer-org-words.txt`.
    package static let defaultGenericWords: Set<String> = [
        "agency", "army", "assembly", "association", "authority", "bank", "board", "bureau", "cabinet",
        "centre", "center", "church", "club", "coalition", "college", "commission", "committee", "company",
        "congress", "corporation", "council", "court", "department", "federation", "foundation", "fund",
        "government", "group", "institute", "league", "ministry", "movement", "museum", "navy", "office",
        "organisation", "organization", "parliament", "party", "police", "school", "senate", "service",
        "society", "team", "trust", "union", "university",
    ]

    /// Reads the demonym pairs (`Demonym<TAB>Place` lines) of `gazetteer-demonyms.txt`.
    package init(directory: String) throws {
        let path = directory + "/gazetteer-demonyms.txt"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EntityModelError(path: path, message: "cannot be read")
        }
        var demonyms: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let columns = line.split(separator: "\t")
            guard columns.count == 2 else { continue }
            demonyms[columns[0].lowercased()] = columns[1].lowercased()
        }
        var generic = Self.defaultGenericWords
        if let words = FileManager.default.contents(atPath: directory + "/gazetteer-org-words.txt") {
            for word in String(decoding: words, as: UTF8.self).split(whereSeparator: \.isNewline) {
                generic.insert(word.lowercased())
            }
        }
        self.init(demonyms: demonyms, genericWords: generic)
    }

    /// The words of a mention as compared: lower case, possessives dropped, demonyms mapped to
    /// their place, a leading "the" dropped, and for a person leading titles ("Mr.", "President").
    package func normalizedWords(_ words: [String], person: Bool = false) -> [String] {
        var result: [String] = []
        for word in words {
            var lower = word.lowercased()
            if lower == "'s" || lower == "\u{2019}s" || lower == "'" || lower == "\u{2019}" { continue }
            if lower.hasSuffix("'s") || lower.hasSuffix("\u{2019}s") { lower.removeLast(2) }
            result.append(lower)
        }
        // "Pakistani Army" is the "Pakistan Army", but "Kenyan" alone is not "Kenya".
        if result.count > 1 { result = result.map { self.demonyms[$0] ?? $0 } }
        if result.count > 1 && result.first == "the" { result.removeFirst() }
        while person, result.count > 1, let first = result.first, honorifics.contains(first) { result.removeFirst() }
        return result
    }

    /// Groups mentions into entities, in order of first mention (title first).
    package func link(_ mentions: [Mention]) -> [Entity] {
        guard !mentions.isEmpty else { return [] }
        // 1. Same normalised name.
        var groups: [Group] = []
        var groupOfKey: [[String]: Int] = [:]
        for (index, mention) in mentions.enumerated() {
            let key = self.normalizedWords(mention.words, person: mention.type == 0)
            if let group = groupOfKey[key] {
                groups[group].members.append(index)
            } else {
                groupOfKey[key] = groups.count
                groups.append(Group(key: key, members: [index]))
            }
        }
        for index in groups.indices { groups[index].settle(mentions) }

        // 2. Acronyms and short forms join a longer name, shortest first.
        let order = groups.indices.sorted {
            (groups[$0].key.count, groups[$0].first) < (groups[$1].key.count, groups[$1].first)
        }
        var mergedInto = Array(groups.indices)
        for short in order {
            let candidates = groups.indices.filter { long in
                long != short && mergedInto[long] == long
                    && groups[long].key.count > groups[short].key.count
                    && self.refers(groups[short], to: groups[long], groups, mentions)
            }
            guard !candidates.isEmpty else { continue }
            // Several people called "Khan": the nearest one mentioned before wins.
            let first = groups[short].first
            let before = candidates.filter { groups[$0].first < first }
            let target =
                before.max { groups[$0].first < groups[$1].first } ?? candidates.min {
                    groups[$0].first < groups[$1].first
                }!
            mergedInto[short] = target
        }
        func root(_ group: Int) -> Int {
            var group = group
            while mergedInto[group] != group { group = mergedInto[group] }
            return group
        }
        var members: [Int: [Int]] = [:]
        for group in groups.indices { members[root(group), default: []].append(contentsOf: groups[group].members) }

        var entities: [(first: Int, entity: Entity)] = []
        for (_, indices) in members {
            let sorted = indices.sorted()
            // The canonical form is the longest; ties go to the first written.
            var canonical = sorted[0]
            for index in sorted
            where mentions[index].text.unicodeScalars.count
                > mentions[canonical].text.unicodeScalars.count
            {
                canonical = index
            }
            var aliases: [String] = []
            for index in sorted where mentions[index].text != mentions[canonical].text {
                if !aliases.contains(mentions[index].text) { aliases.append(mentions[index].text) }
            }
            let spans = sorted.filter { !mentions[$0].inTitle }.map { [mentions[$0].start, mentions[$0].end] }
            let titleSpans = sorted.filter { mentions[$0].inTitle }.map { [mentions[$0].start, mentions[$0].end] }
            // The type most mentions have, title mentions (headline style, less reliable)
            // counting half and names of several words (typed with more context) more;
            // ties go to the canonical form's.
            var votes = [Int](repeating: 0, count: TagSet.types.count)
            for index in sorted {
                let weight = min(mentions[index].words.count, 2)
                votes[mentions[index].type] += (mentions[index].inTitle ? 1 : 2) * weight
            }
            var type = mentions[canonical].type
            for candidate in votes.indices where votes[candidate] > votes[type] { type = candidate }
            let entity = Entity(
                type: TagSet.types[type],
                text: mentions[canonical].text,
                count: sorted.count,
                aliases: aliases,
                spans: spans,
                titleSpans: titleSpans
            )
            entities.append((sorted[0], entity))
        }
        return entities.sorted { $0.first < $1.first }.map(\.entity)
    }

    /// Whether the shorter group is an acronym or short form of the longer one; `groups` are all
    /// the article's groups, which an organisation's short form must not also fit.
    private func refers(_ short: Group, to long: Group, _ groups: [Group], _ mentions: [Mention]) -> Bool {
        let shortWords = mentions[short.longest].words
        let longWords = mentions[long.longest].words
        if shortWords.count == 1, isAcronym(shortWords[0]), initials(of: longWords).contains(shortWords[0]) {
            return true
        }
        let shortType = short.type
        let longType = long.type
        let shortKey = short.key
        let longKey = long.key
        guard let offset = find(shortKey, in: longKey) else { return false }
        // Persons: any part of the name ("Khan", "Imran"); a short form tagged with another
        // type is still the person when it is a whole word of the name.
        if longType == 0 && (shortType == 0 || shortKey.count == 1) {
            return shortKey.allSatisfy { !functionWords.contains($0) }
        }
        if longType == 1 && shortType != 2 {
            // A generic word ("Union", "Council") names the one organisation it heads; not in a
            // headline alone, where every word is capitalised ("Rail strike called off").
            if shortKey.count == 1 && self.genericWords.contains(shortKey[0]) {
                guard head(of: longKey) == shortKey[0], short.members.contains(where: { !mentions[$0].inTitle }) else {
                    return false
                }
                return groups.allSatisfy { other in
                    other.key == longKey || other.key == shortKey || other.type != 1
                        || head(of: other.key) != shortKey[0] || isPrefix(other.key, of: longKey)
                        || isPrefix(longKey, of: other.key)
                }
            }
            // The first words of one organisation ("Northwind" for "Northwind Ferries"), when no
            // other name of the article contains them ("Velmar" stays apart from "Velmar Ports
            // Authority" beside "Port Velmar").
            if offset == 0 && !functionWords.contains(shortKey[shortKey.count - 1]) {
                return groups.allSatisfy { other in
                    other.key == longKey || other.key == shortKey || find(shortKey, in: other.key) == nil
                        || isPrefix(other.key, of: longKey) || isPrefix(longKey, of: other.key)
                }
            }
        }
        // Other names: their first or last two or more words ("Counter-Terrorism Department").
        guard shortType == longType, shortKey.count >= 2 else { return false }
        return offset == 0 || offset + shortKey.count == longKey.count
    }
}

/// The word an organisation's name is named after: the one before its first "of" or "for"
/// ("Union of Rail Workers"), else its last ("Aldermoor City Council").
private func head(of key: [String]) -> String {
    if let index = key.firstIndex(where: { $0 == "of" || $0 == "for" }), index > 0 { return key[index - 1] }
    return key[key.count - 1]
}

private func isPrefix(_ prefix: [String], of words: [String]) -> Bool {
    prefix.count <= words.count && words[..<prefix.count].elementsEqual(prefix)
}

private struct Group {
    var key: [String]
    var members: [Int]
    var first = 0
    var longest = 0
    /// The type most of its mentions have (ties: the longest mention's).
    var type = 0

    init(key: [String], members: [Int]) {
        self.key = key
        self.members = members
    }

    mutating func settle(_ mentions: [Mention]) {
        self.first = self.members[0]
        self.longest = self.members.max { mentions[$0].words.count < mentions[$1].words.count } ?? self.members[0]
        var votes = [Int](repeating: 0, count: TagSet.types.count)
        for member in self.members { votes[mentions[member].type] += mentions[member].inTitle ? 1 : 2 }
        self.type = mentions[self.longest].type
        for candidate in votes.indices where votes[candidate] > votes[self.type] { self.type = candidate }
    }
}

/// Titles and honorifics a person's name may start with ("Mr. Reeves"), lower case.
private let honorifics: Set<String> = [
    "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "dr", "dr.", "prof", "prof.", "professor", "sir", "dame",
    "president", "gov", "gov.", "governor", "sen", "sen.", "senator", "rep", "rep.", "judge", "mayor",
    "minister", "chancellor", "gen.", "col.", "capt.", "lt.", "sgt.", "rev.",
]

private let functionWords: Set<String> = ["of", "the", "and", "for", "in", "on", "at", "de", "&", "-", "."]

private func isAcronym(_ word: String) -> Bool {
    let letters = word.unicodeScalars.filter { $0 != "." && $0 != "&" }
    return letters.count >= 2 && letters.count <= 8 && letters.allSatisfy { isUpper($0.value) || isDigit($0.value) }
}

/// Acronyms a name may have: initials of its capitalised parts (hyphenated words count once per
/// part), with and without function words, with and without periods.
private func initials(of words: [String]) -> Set<String> {
    var strict = ""
    var withFunctionWords = ""
    for word in words {
        for part in word.split(whereSeparator: { $0 == "-" || $0 == "\u{2010}" }) {
            guard let first = part.unicodeScalars.first, isLetter(first.value) else { continue }
            let upper = String(first).uppercased()
            withFunctionWords += upper
            if isUpper(first.value) { strict += upper }
        }
    }
    var result: Set<String> = [strict, withFunctionWords]
    result.insert(strict.map { "\($0)." }.joined())
    result.insert(withFunctionWords.map { "\($0)." }.joined())
    return result.filter { $0.count >= 2 }
}

private func find(_ needle: [String], in haystack: [String]) -> Int? {
    guard !needle.isEmpty, needle.count <= haystack.count else { return nil }
    for offset in 0...(haystack.count - needle.count) where Array(haystack[offset..<(offset + needle.count)]) == needle
    {
        return offset
    }
    return nil
}
