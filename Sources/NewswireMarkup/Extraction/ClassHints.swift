/// What an element's `class` and `id` say about it, as a set of flags.
///
/// The words are general publishing vocabulary (the ones Readability, Boilerpipe and
/// trafilatura all rely on), never the names of a particular site.
struct ClassHints: OptionSet, Hashable {
    let rawValue: UInt32

    /// Words of the article body: `article`, `content`, `entry`, `post`, `story`, `text`.
    static let positive = ClassHints(rawValue: 1 << 0)
    /// Words of boilerplate: `comment`, `footer`, `share`, `related`, `promo`, `ad-`.
    static let negative = ClassHints(rawValue: 1 << 1)
    /// Regions that are almost never the article (`sidebar`, `menu`, `cookie`), dropped before scoring.
    static let unlikely = ClassHints(rawValue: 1 << 2)
    /// Words that rescue an unlikely region (`article`, `body`, `main`, `content`).
    static let maybe = ClassHints(rawValue: 1 << 3)
    /// Bylines and author boxes.
    static let byline = ClassHints(rawValue: 1 << 4)
    /// Captions and picture credits.
    static let caption = ClassHints(rawValue: 1 << 5)
    /// Dates, datelines and other article meta lines.
    static let dateline = ClassHints(rawValue: 1 << 6)
    /// Visually hidden elements.
    static let hidden = ClassHints(rawValue: 1 << 7)
    /// Share bars, newsletter boxes, "read more" and related-story blocks: always boilerplate.
    static let boilerplate = ClassHints(rawValue: 1 << 8)
    /// Comments and replies: what readers wrote, not the publisher.
    static let discussion = ClassHints(rawValue: 1 << 9)
    /// Collapsible sections (`accordion`): content folded away until the reader opens it.
    static let collapsible = ClassHints(rawValue: 1 << 10)

    /// The flags of a `class`/`id` value (ASCII case is ignored).
    static func of(_ value: UnsafePointer<UInt8>) -> ClassHints {
        var hints = Matcher.shared.match(value)
        if hints.contains(.negative), Self.hasOverflowUtility(value) {
            // "overflow-x-scroll" is a layout utility (a wide table's wrapper), not a scroller
            // of teasers: the hints are those of the other tokens.
            var bytes = Self.withoutOverflowUtilities(value)
            hints = bytes.withUnsafeMutableBufferPointer { Matcher.shared.match($0.baseAddress!) }
        }
        if Self.hasHidingToken(value) { hints.insert(.hidden) }
        return hints
    }

    private static let overflowBytes = Array("overflow".utf8)

    /// Whether a token starts with "overflow" (after an optional "md:"-like prefix).
    private static func hasOverflowUtility(_ value: UnsafePointer<UInt8>) -> Bool {
        var index = 0
        var atTokenStart = true
        while value[index] != 0 {
            let byte = value[index]
            if atTokenStart, byte | 0x20 == UInt8(ascii: "o"), Self.startsWithOverflow(value + index) { return true }
            atTokenStart = byte == 32 || byte == 9 || byte == 10 || byte == 13 || byte == UInt8(ascii: ":")
            index += 1
        }
        return false
    }

    private static func startsWithOverflow(_ value: UnsafePointer<UInt8>) -> Bool {
        for (offset, expected) in Self.overflowBytes.enumerated() where value[offset] | 0x20 != expected {
            return false
        }
        return true
    }

    /// The value with every "overflow…" token blanked, NUL-terminated.
    private static func withoutOverflowUtilities(_ value: UnsafePointer<UInt8>) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = 0
        var atTokenStart = true
        var blanking = false
        while value[index] != 0 {
            let byte = value[index]
            let isSpace = byte == 32 || byte == 9 || byte == 10 || byte == 13
            if isSpace { blanking = false }
            if atTokenStart, !isSpace, Self.startsWithOverflow(value + index) { blanking = true }
            bytes.append(blanking ? 32 : byte)
            atTokenStart = isSpace || byte == UInt8(ascii: ":")
            index += 1
        }
        bytes.append(0)
        return bytes
    }

    /// Whole class tokens that hide an element (`hidden`, `sr-only`…); `field-label-hidden` is not one.
    /// A utility class that shows it again on wider screens (`hidden md:flex`, `hidden lg:block`)
    /// means it is shown on a desktop.
    private static func hasHidingToken(_ value: UnsafePointer<UInt8>) -> Bool {
        var start = 0
        var hides = false
        while true {
            while value[start] == 32 || value[start] == 9 || value[start] == 10 || value[start] == 13 { start += 1 }
            if value[start] == 0 { return hides }
            var end = start
            var colon = -1
            while value[end] != 0 && value[end] != 32 && value[end] != 9 && value[end] != 10 && value[end] != 13 {
                if value[end] == UInt8(ascii: ":") { colon = end }
                end += 1
            }
            if colon > start, Self.showsOnWideScreens(value + colon + 1, end - colon - 1) { return false }
            let length = end - start
            for token in Self.hidingTokenBytes where token.count == length {
                var offset = 0
                while offset < length && value[start + offset] | 0x20 == token[offset] { offset += 1 }
                if offset == length { hides = true }
            }
            start = end
        }
    }

    /// A display utility after a screen-size prefix (`md:flex`, `lg:block`, `xl:inline-grid`).
    private static func showsOnWideScreens(_ suffix: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        Self.displayTokenBytes.contains { token in
            token.count == length && (0..<length).allSatisfy { suffix[$0] | 0x20 == token[$0] }
        }
    }

    private static let displayTokenBytes: [[UInt8]] = [
        "block", "flex", "grid", "inline", "inline-block", "inline-flex", "inline-grid", "table", "contents",
        "flow-root",
    ].map { Array($0.utf8) }

    private static let hidingTokenBytes: [[UInt8]] = Self.hidingTokens.map { Array($0.utf8) }

    private static let hidingTokens: [String] = [
        "hidden", "hide", "sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text", "screenreader-only",
        "offscreen", "print-only", "is-hidden", "u-hidden", "element-invisible",
    ]

    /// The weight Readability gives an element for its class and id: ±25 per side.
    var weight: Int {
        var weight = 0
        if self.contains(.negative) { weight -= 25 }
        if self.contains(.positive) { weight += 25 }
        return weight
    }
}

/// A byte trie over the hint words, matched at every start position of a value.
///
/// `^` before a word asks for a token start (after a non-alphanumeric byte or at the start),
/// `$` after it a token end.
private struct Matcher: Sendable {
    static let shared = Matcher()

    private struct Terminal: Sendable {
        var hints: UInt32
        var tokenStart: Bool
        var tokenEnd: Bool
    }

    private static let alphabet = 38
    private var transitions: [Int32] = []
    private var terminals: [[Terminal]] = []
    /// `terminals` flattened: the terminals of state `s` are `flat[starts[s]..<starts[s + 1]]`.
    private var flat: [Terminal] = []
    private var starts: [Int32] = []

    private init() {
        let words: [(String, ClassHints)] = [
            ("article", [.positive, .maybe]), ("body", [.positive, .maybe]), ("content", [.positive, .maybe]),
            ("entry", .positive), ("hentry", .positive), ("main", [.positive, .maybe]), ("post", .positive),
            ("^text", .positive), ("blog", .positive), ("story", .positive), ("prose", .positive),
            ("column", .maybe), ("shadow", .maybe),
            ("-ad-", [.negative, .unlikely]), ("^ad-", [.negative, .unlikely]), ("^ad$", [.negative, .unlikely]),
            ("^ads$", [.negative, .unlikely]), ("^ads-", [.negative, .unlikely]), ("advert", [.negative, .unlikely]),
            ("adslot", [.negative, .unlikely]), ("dfp", .negative), ("banner", [.negative, .unlikely]),
            ("combx", [.negative, .unlikely]), ("comment", [.negative, .unlikely, .discussion]), ("com-", .negative),
            ("community", .unlikely), ("contact", .negative), ("foot", .negative), ("footer", [.negative, .unlikely]),
            ("footnote", .negative), ("gdpr", [.negative, .unlikely]), ("masthead", .negative),
            ("outbrain", [.negative, .unlikely, .boilerplate]), ("taboola", [.negative, .unlikely, .boilerplate]),
            ("promo", [.negative, .boilerplate]), ("related", [.negative, .unlikely, .boilerplate]),
            ("scroll", .negative), ("share", [.negative, .boilerplate]), ("sharing", [.negative, .boilerplate]),
            ("social", [.negative, .unlikely, .boilerplate]), ("shoutbox", [.negative, .unlikely]),
            ("sidebar", [.negative, .unlikely]), ("skyscraper", [.negative, .unlikely]),
            ("sponsor", [.negative, .unlikely]), ("shopping", .negative), ("^tags", .negative),
            ("^tool", .negative), ("widget", .negative), ("^nav", [.negative, .unlikely]),
            ("navigation", [.negative, .unlikely]), ("newsletter", [.negative, .unlikely, .boilerplate]),
            ("subscribe", [.negative, .boilerplate]), ("subscription", [.negative, .boilerplate]),
            ("signup", [.negative, .boilerplate]), ("sign-up", [.negative, .boilerplate]),
            ("cookie", [.negative, .unlikely]), ("consent", [.negative, .unlikely]),
            ("recommend", [.negative, .boilerplate]), ("popular", [.negative, .unlikely]),
            ("trending", [.negative, .unlikely]), ("breadcrumb", [.negative, .unlikely]),
            ("pagination", [.negative, .unlikely]), ("pager", .unlikely), ("^menu", [.negative, .unlikely]),
            ("disqus", [.negative, .unlikely, .discussion]), ("popup", [.negative, .unlikely]), ("modal", .negative),
            ("ai2html", .unlikely), ("cover-wrap", .unlikely), ("extra", .unlikely), ("header", .unlikely),
            ("legends", .unlikely), ("remark", .unlikely), ("replies", [.unlikely, .discussion]), ("^rss", .unlikely),
            ("supplemental", .unlikely), ("agegate", .unlikely), ("yom-remote", .unlikely),
            ("read-more", .boilerplate), ("readmore", .boilerplate), ("more-stories", .boilerplate),
            ("paywall", .negative), ("byline", .byline), ("by-line", .byline), ("author", .byline),
            ("writer", .byline), ("contributor", .byline), ("dateline", .dateline), ("^date", .dateline),
            ("timestamp", .dateline), ("published", .dateline), ("caption", .caption), ("credit", .caption),
            ("accordion", .collapsible),
        ]
        self.transitions = [Int32](repeating: -1, count: Self.alphabet)
        self.terminals = [[]]
        for (word, hints) in words {
            var bytes = Array(word.utf8)
            let tokenStart = bytes.first == UInt8(ascii: "^")
            if tokenStart { bytes.removeFirst() }
            let tokenEnd = bytes.last == UInt8(ascii: "$")
            if tokenEnd { bytes.removeLast() }
            var state = 0
            for byte in bytes {
                let symbol = Self.symbol(byte)
                precondition(symbol >= 0, "hint words use a-z, 0-9, - and _")
                let slot = state * Self.alphabet + symbol
                if self.transitions[slot] < 0 {
                    self.transitions[slot] = Int32(self.terminals.count)
                    self.terminals.append([])
                    self.transitions.append(contentsOf: repeatElement(-1, count: Self.alphabet))
                }
                state = Int(self.transitions[slot])
            }
            self.terminals[state].append(Terminal(hints: hints.rawValue, tokenStart: tokenStart, tokenEnd: tokenEnd))
        }
        for list in self.terminals {
            self.starts.append(Int32(self.flat.count))
            self.flat.append(contentsOf: list)
        }
        self.starts.append(Int32(self.flat.count))
    }

    private static func symbol(_ byte: UInt8) -> Int {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return Int(byte - UInt8(ascii: "a"))
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return Int(byte - UInt8(ascii: "A"))
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return 26 + Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "-"): return 36
        case UInt8(ascii: "_"): return 37
        default: return -1
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        let symbol = Self.symbol(byte)
        return symbol >= 0 && symbol < 36
    }

    func match(_ value: UnsafePointer<UInt8>) -> ClassHints {
        self.transitions.withUnsafeBufferPointer { transitions in
            self.flat.withUnsafeBufferPointer { flat in
                self.starts.withUnsafeBufferPointer { starts in
                    Self.match(value, transitions: transitions, flat: flat, starts: starts)
                }
            }
        }
    }

    private static func match(
        _ value: UnsafePointer<UInt8>,
        transitions: UnsafeBufferPointer<Int32>,
        flat: UnsafeBufferPointer<Terminal>,
        starts: UnsafeBufferPointer<Int32>
    ) -> ClassHints {
        var hints: UInt32 = 0
        var start = 0
        var previous: UInt8 = 0
        while value[start] != 0 {
            let atTokenStart = !Self.isAlphanumeric(previous)
            var state = 0
            var index = start
            while value[index] != 0 {
                let symbol = Self.symbol(value[index])
                if symbol < 0 { break }
                let next = transitions[state * Self.alphabet + symbol]
                if next < 0 { break }
                state = Int(next)
                index += 1
                for slot in Int(starts[state])..<Int(starts[state + 1]) {
                    let terminal = flat[slot]
                    if terminal.tokenStart && !atTokenStart { continue }
                    if terminal.tokenEnd && Self.isAlphanumeric(value[index]) { continue }
                    hints |= terminal.hints
                }
            }
            previous = value[start]
            start += 1
        }
        return ClassHints(rawValue: hints)
    }
}
