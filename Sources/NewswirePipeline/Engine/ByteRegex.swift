/// A case-insensitive regular expression of the common forms, compiled once into a DFA over
/// UTF-8 bytes, so `keep`/`drop` rules such as `/[a-z]/`, `/^(Watch|Video):/` or `/\.html?$/`
/// cost one table look-up per byte instead of an `NSRegularExpression` call on a bridged
/// string.
///
/// It understands literals (ASCII), `.`, character classes (`[a-z]`, `[^…]`, ASCII members,
/// escaped punctuation), `^` and `$`, groups (`(…)`, `(?:…)`), alternation, `*`, `+`, `?`
/// (greedy or lazy: the same for "is there a match") and `{n}`, `{n,}`, `{n,m}`. Anything else
/// (`\d`, `\w`, `\b`, back-references, look-around, flags, possessive quantifiers, non-ASCII
/// pattern characters, a DFA past its state budget) makes ``init(_:)`` return `nil`, and the
/// caller keeps `NSRegularExpression`.
///
/// It answers as ICU's `NSRegularExpression` with `.caseInsensitive` does (the property test
/// in `ByteRegexTests` compares them): `.` matches one code point other than a line
/// terminator (`\n`, `\v`, `\f`, `\r`, U+0085, U+2028, U+2029); `^` holds at the start of the
/// text only; `$` at the end and before one final line terminator (or `\r\n`); letters match
/// both ASCII cases. Text with a character whose case folding reaches ASCII letters
/// (`ß`, `ſ`, the Kelvin sign, `ﬁ`…) is left to ICU: ``matches(_:)`` returns `nil`.
///
/// The DFA is built whole at compile time and never changes, so one value serves every
/// queue at once without a lock. `package` for the differential fuzz target (`newswire-fuzz
/// regex`).
package struct ByteRegex: Sendable {
    /// Transitions, `classCount` per state; state 0 is dead (no match is reachable).
    private let transitions: [Int32]
    /// For each state, the state it becomes where `$` may hold.
    private let atEnd: [Int32]
    /// Whether a state holds a match (the search can stop).
    private let accepting: [Bool]
    /// The symbol class of each of the 130 symbols (ASCII bytes, then other code points and
    /// non-ASCII line terminators).
    private let classes: [UInt8]
    private let classCount: Int
    /// The state at position 0 (with `^` allowed), and the same where `$` also holds there.
    private let initial: Int32
    private let initialAtEnd: Int32

    /// Past these, the expression is left to `NSRegularExpression`.
    static let maximumStates = 1024
    static let maximumNFAStates = 2048

    /// Compiles `expression` (the text between the slashes), or `nil` when it uses something
    /// this matcher does not express.
    package init?(_ expression: String) {
        var parser = Parser(Array(expression.utf8))
        guard let tree = parser.parse() else { return nil }
        var nfa = NFA()
        guard let entry = nfa.compile(tree, next: nfa.match), nfa.states.count <= Self.maximumNFAStates else {
            return nil
        }
        guard let dfa = DFABuilder(nfa: nfa, entry: entry).build(maximumStates: Self.maximumStates) else { return nil }
        self.transitions = dfa.transitions
        self.atEnd = dfa.atEnd
        self.accepting = dfa.accepting
        self.classes = dfa.classes
        self.classCount = dfa.classCount
        self.initial = dfa.initial
        self.initialAtEnd = dfa.initialAtEnd
    }

    /// Whether the expression matches somewhere in `text` (valid UTF-8), or `nil` when the
    /// text holds a character only ICU's case folding can judge.
    package func matches(_ text: UnsafeBufferPointer<UInt8>) -> Bool? {
        let count = text.count
        // `$` holds at the end, and before a final line terminator (`\r\n` counting as one).
        let beforeTerminator = Self.finalTerminatorStart(text)
        var state = beforeTerminator == 0 || count == 0 ? self.initialAtEnd : self.initial
        return self.transitions.withUnsafeBufferPointer { transitions in
            self.accepting.withUnsafeBufferPointer { accepting in
                self.classes.withUnsafeBufferPointer { classes -> Bool? in
                    var index = 0
                    while true {
                        if accepting[Int(state)] { return true }
                        if state == 0 || index == count { return false }
                        let byte = text[index]
                        let symbol: Int
                        if byte < 0x80 {
                            symbol = Int(byte)
                            index += 1
                        } else {
                            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
                            guard index + length <= count else { return nil }
                            let second = text[index + 1]
                            if Self.foldsToASCII(byte, second) { return nil }
                            let isTerminator =
                                (byte == 0xC2 && second == 0x85)
                                || (byte == 0xE2 && second == 0x80
                                    && (text[index + 2] == 0xA8 || text[index + 2] == 0xA9))
                            symbol = isTerminator ? Symbol.lineTerminator : Symbol.other
                            index += length
                        }
                        state = transitions[Int(state) * self.classCount + Int(classes[symbol])]
                        if index == count || index == beforeTerminator { state = self.atEnd[Int(state)] }
                    }
                }
            }
        }
    }

    /// Where the final line terminator starts, or -1 when the text does not end with one.
    private static func finalTerminatorStart(_ text: UnsafeBufferPointer<UInt8>) -> Int {
        let count = text.count
        guard let last = text.last else { return -1 }
        if last == 0x0A && count >= 2 && text[count - 2] == 0x0D { return count - 2 }
        if last >= 0x0A && last <= 0x0D { return count - 1 }
        if last == 0x85 && count >= 2 && text[count - 2] == 0xC2 { return count - 2 }
        if (last == 0xA8 || last == 0xA9) && count >= 3 && text[count - 3] == 0xE2 && text[count - 2] == 0x80 {
            return count - 3
        }
        return -1
    }

    /// Whether the code point starting with `lead, second` may be one whose case folding
    /// (simple or full) reaches an ASCII letter: ß ı İ ŉ ſ ǰ, U+1E96–U+1E9E, the Kelvin sign,
    /// the ligatures ﬀ–ﬆ (a superset: whole blocks are counted for the three-byte ones).
    @inline(__always)
    private static func foldsToASCII(_ lead: UInt8, _ second: UInt8) -> Bool {
        switch lead {
        case 0xC3: second == 0x9F
        case 0xC4: second == 0xB0 || second == 0xB1
        case 0xC5: second == 0x89 || second == 0xBF
        case 0xC7: second == 0xB0
        case 0xE1: second == 0xBA
        case 0xE2: second == 0x84
        case 0xEF: second == 0xAC
        default: false
        }
    }
}

/// The alphabet the DFA reads: the 128 ASCII bytes, then any other code point, then the
/// non-ASCII line terminators (U+0085, U+2028, U+2029), which `.` does not match.
private enum Symbol {
    static let other = 128
    static let lineTerminator = 129
    static let count = 130
}

/// A set of ``Symbol``s.
private struct SymbolSet: Hashable {
    var low: UInt64 = 0
    var high: UInt64 = 0
    var extra: UInt8 = 0

    func contains(_ symbol: Int) -> Bool {
        switch symbol {
        case 0..<64: self.low & (1 << UInt64(symbol)) != 0
        case 64..<128: self.high & (1 << UInt64(symbol - 64)) != 0
        default: self.extra & (1 << UInt8(symbol - 128)) != 0
        }
    }

    mutating func insert(_ symbol: Int) {
        switch symbol {
        case 0..<64: self.low |= 1 << UInt64(symbol)
        case 64..<128: self.high |= 1 << UInt64(symbol - 64)
        default: self.extra |= 1 << UInt8(symbol - 128)
        }
    }

    /// The byte and, for a letter, its other case (the expressions are case-insensitive).
    static func literal(_ byte: UInt8) -> SymbolSet {
        var set = SymbolSet()
        set.insertFolded(byte)
        return set
    }

    mutating func insertFolded(_ byte: UInt8) {
        self.insert(Int(byte))
        if (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A { self.insert(Int(byte ^ 0x20)) }
    }

    /// `.`: every code point but the line terminators.
    static var dot: SymbolSet {
        var set = SymbolSet()
        for byte in 0..<128 where !(0x0A...0x0D).contains(byte) { set.insert(byte) }
        set.insert(Symbol.other)
        return set
    }

    var inverted: SymbolSet {
        SymbolSet(low: ~self.low, high: ~self.high, extra: ~self.extra & 0b11)
    }
}

/// The parsed expression.
private indirect enum Node {
    case symbols(SymbolSet)
    case sequence([Node])
    case alternatives([Node])
    case repetition(Node, minimum: Int, maximum: Int?)
    case textStart
    case textEnd
}

/// A recursive-descent parser for the forms ``ByteRegex`` supports; `nil` for anything else.
/// The expression has already compiled with `NSRegularExpression`, so `nil` never means
/// "invalid", only "not ours".
private struct Parser {
    let bytes: [UInt8]
    var index = 0
    var depth = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    private var peek: UInt8? { self.index < self.bytes.count ? self.bytes[self.index] : nil }

    mutating func parse() -> Node? {
        guard let node = self.alternatives(), self.index == self.bytes.count else { return nil }
        return node
    }

    private mutating func alternatives() -> Node? {
        var branches: [Node] = []
        while true {
            guard let branch = self.sequence() else { return nil }
            branches.append(branch)
            guard self.peek == UInt8(ascii: "|") else { break }
            self.index += 1
        }
        return branches.count == 1 ? branches[0] : .alternatives(branches)
    }

    private mutating func sequence() -> Node? {
        var items: [Node] = []
        while let byte = self.peek, byte != UInt8(ascii: "|"), byte != UInt8(ascii: ")") {
            guard var atom = self.atom() else { return nil }
            if let quantifier = self.quantifier() {
                guard let (minimum, maximum) = quantifier else { return nil }
                switch atom {
                case .textStart, .textEnd: return nil
                default: break
                }
                atom = .repetition(atom, minimum: minimum, maximum: maximum)
                // A lazy `?` changes which match, not whether; a possessive `+` or a second
                // quantifier is left to ICU.
                if self.peek == UInt8(ascii: "?") { self.index += 1 }
                if let next = self.peek, "*+?{".utf8.contains(next) { return nil }
            }
            items.append(atom)
        }
        return items.count == 1 ? items[0] : .sequence(items)
    }

    /// `nil` when no quantifier follows; `.some(nil)` for one this parser does not take.
    private mutating func quantifier() -> (Int, Int?)?? {
        guard let byte = self.peek else { return nil }
        switch byte {
        case UInt8(ascii: "*"):
            self.index += 1
            return .some((0, nil))
        case UInt8(ascii: "+"):
            self.index += 1
            return .some((1, nil))
        case UInt8(ascii: "?"):
            self.index += 1
            return .some((0, 1))
        case UInt8(ascii: "{"):
            self.index += 1
            guard let minimum = self.number() else { return .some(nil) }
            var maximum: Int? = minimum
            if self.peek == UInt8(ascii: ",") {
                self.index += 1
                maximum = self.peek == UInt8(ascii: "}") ? nil : self.number()
                if maximum == nil && self.peek != UInt8(ascii: "}") { return .some(nil) }
            }
            guard self.peek == UInt8(ascii: "}") else { return .some(nil) }
            self.index += 1
            if let maximum, maximum < minimum { return .some(nil) }
            guard minimum <= 32, (maximum ?? 0) <= 32 else { return .some(nil) }
            return .some((minimum, maximum))
        default:
            return nil
        }
    }

    private mutating func number() -> Int? {
        var value = 0
        var digits = 0
        while let byte = self.peek, byte >= 0x30, byte <= 0x39, digits < 4 {
            value = value * 10 + Int(byte - 0x30)
            digits += 1
            self.index += 1
        }
        return digits == 0 ? nil : value
    }

    private mutating func atom() -> Node? {
        guard let byte = self.peek, byte >= 0x20, byte < 0x7F else { return nil }
        self.index += 1
        switch byte {
        case UInt8(ascii: "("):
            if self.peek == UInt8(ascii: "?") {
                guard self.index + 1 < self.bytes.count, self.bytes[self.index + 1] == UInt8(ascii: ":") else {
                    return nil
                }
                self.index += 2
            }
            self.depth += 1
            guard self.depth <= 32, let inner = self.alternatives(), self.peek == UInt8(ascii: ")") else { return nil }
            self.index += 1
            self.depth -= 1
            return inner
        case UInt8(ascii: "["): return self.characterClass()
        case UInt8(ascii: "."): return .symbols(.dot)
        case UInt8(ascii: "^"): return .textStart
        case UInt8(ascii: "$"): return .textEnd
        case UInt8(ascii: "\\"):
            guard let literal = self.escaped() else { return nil }
            return .symbols(.literal(literal))
        case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{"), UInt8(ascii: "}"),
            UInt8(ascii: "]"), UInt8(ascii: ")"):
            return nil
        default:
            return .symbols(.literal(byte))
        }
    }

    /// The character after a backslash (already read): punctuation stands for itself; `\n`,
    /// `\t`, `\r`, `\f` for their control characters; anything else is not ours.
    private mutating func escaped() -> UInt8? {
        guard let byte = self.peek, byte >= 0x20, byte < 0x7F else { return nil }
        self.index += 1
        switch byte {
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "t"): return 0x09
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "f"): return 0x0C
        default:
            let isAlphanumeric = ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            return isAlphanumeric ? nil : byte
        }
    }

    /// `[…]` after its `[`: ASCII members, ranges between two of them, escaped punctuation.
    /// Set operations, POSIX classes, properties and unescaped `-`, `&`, `[`, `$` at odd
    /// places are left to ICU.
    private mutating func characterClass() -> Node? {
        var set = SymbolSet()
        let negated = self.peek == UInt8(ascii: "^")
        if negated { self.index += 1 }
        if let first = self.peek, first == UInt8(ascii: "]") || first == UInt8(ascii: ":") { return nil }
        while true {
            guard let byte = self.peek else { return nil }
            if byte == UInt8(ascii: "]") {
                self.index += 1
                break
            }
            guard let low = self.classMember() else { return nil }
            if self.peek == UInt8(ascii: "-") {
                self.index += 1
                guard self.peek != UInt8(ascii: "]"), let high = self.classMember(), low <= high else { return nil }
                for member in low...high { set.insertFolded(member) }
            } else {
                set.insertFolded(low)
            }
        }
        return .symbols(negated ? set.inverted : set)
    }

    private mutating func classMember() -> UInt8? {
        guard let byte = self.peek, byte >= 0x20, byte < 0x7F else { return nil }
        self.index += 1
        switch byte {
        case UInt8(ascii: "\\"): return self.escaped()
        case UInt8(ascii: "["), UInt8(ascii: "-"), UInt8(ascii: "&"), UInt8(ascii: "$"), UInt8(ascii: "^"),
            UInt8(ascii: "{"), UInt8(ascii: "}"):
            return nil
        default: return byte
        }
    }
}

/// A Thompson NFA: consuming states, splits and the two anchors.
private struct NFA {
    enum State {
        case consume(SymbolSet, next: Int)
        case split(Int, Int)
        case textStart(next: Int)
        case textEnd(next: Int)
        case match
    }

    var states: [State] = [.match]
    let match = 0

    /// Appends the states of `node`, leading to `next`; returns its entry, or `nil` past the
    /// state budget.
    mutating func compile(_ node: Node, next: Int) -> Int? {
        guard self.states.count <= ByteRegex.maximumNFAStates else { return nil }
        switch node {
        case .symbols(let set):
            return self.add(.consume(set, next: next))
        case .textStart:
            return self.add(.textStart(next: next))
        case .textEnd:
            return self.add(.textEnd(next: next))
        case .sequence(let items):
            var entry = next
            for item in items.reversed() {
                guard let start = self.compile(item, next: entry) else { return nil }
                entry = start
            }
            return entry
        case .alternatives(let branches):
            var entries: [Int] = []
            for branch in branches {
                guard let start = self.compile(branch, next: next) else { return nil }
                entries.append(start)
            }
            var entry = entries[entries.count - 1]
            for start in entries.dropLast().reversed() { entry = self.add(.split(start, entry)) }
            return entry
        case .repetition(let inner, let minimum, let maximum):
            var entry = next
            if let maximum {
                for _ in 0..<(maximum - minimum) {
                    guard let start = self.compile(inner, next: entry) else { return nil }
                    entry = self.add(.split(start, next))
                }
            } else {
                // The loop: a split whose first branch runs `inner` back to the split.
                let loop = self.add(.split(0, 0))
                guard let start = self.compile(inner, next: loop) else { return nil }
                self.states[loop] = .split(start, entry)
                entry = loop
            }
            for _ in 0..<minimum {
                guard let start = self.compile(inner, next: entry) else { return nil }
                entry = start
            }
            return entry
        }
    }

    private mutating func add(_ state: State) -> Int {
        self.states.append(state)
        return self.states.count - 1
    }
}

/// Subset construction over symbol classes, with the search unanchored (the entry is added
/// back after every symbol) and the anchors decided by position.
private struct DFABuilder {
    let nfa: NFA
    let entry: Int

    struct Result {
        var transitions: [Int32]
        var atEnd: [Int32]
        var accepting: [Bool]
        var classes: [UInt8]
        var classCount: Int
        var initial: Int32
        var initialAtEnd: Int32
    }

    /// The states reachable from `seeds` without reading a symbol, kept sorted: consuming
    /// states, the match state, and `$` states waiting for a position where `$` holds. `^`
    /// is followed only at position 0 (elsewhere it never holds, so it is dropped).
    private func closure(_ seeds: [Int], atStart: Bool, atEnd: Bool) -> [Int] {
        var seen = [Bool](repeating: false, count: self.nfa.states.count)
        var kept: [Int] = []
        var stack = seeds
        while let state = stack.popLast() {
            guard !seen[state] else { continue }
            seen[state] = true
            switch self.nfa.states[state] {
            case .consume, .match:
                kept.append(state)
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .textStart(let next):
                if atStart { stack.append(next) }
            case .textEnd(let next):
                if atEnd { stack.append(next) } else { kept.append(state) }
            }
        }
        return kept.sorted()
    }

    func build(maximumStates: Int) -> Result? {
        // Symbols that every consuming state treats alike share a class.
        let sets: [SymbolSet] = self.nfa.states.compactMap {
            if case .consume(let set, _) = $0 { return set }
            return nil
        }
        var classes = [UInt8](repeating: 0, count: Symbol.count)
        var signatures: [[Bool]: UInt8] = [:]
        var representatives: [Int] = []
        for symbol in 0..<Symbol.count {
            let signature = sets.map { $0.contains(symbol) }
            if let known = signatures[signature] {
                classes[symbol] = known
            } else {
                let id = UInt8(representatives.count)
                signatures[signature] = id
                representatives.append(symbol)
                classes[symbol] = id
            }
        }
        let classCount = representatives.count

        // State 0 is the empty set: dead.
        var ids: [[Int]: Int32] = [[]: 0]
        var members: [[Int]] = [[]]
        func intern(_ set: [Int]) -> Int32? {
            if let id = ids[set] { return id }
            guard members.count < maximumStates else { return nil }
            let id = Int32(members.count)
            ids[set] = id
            members.append(set)
            return id
        }
        guard let initial = intern(self.closure([self.entry], atStart: true, atEnd: false)),
            let initialAtEnd = intern(self.closure([self.entry], atStart: true, atEnd: true))
        else { return nil }
        var transitions: [Int32] = []
        var atEnd: [Int32] = []
        var accepting: [Bool] = []
        var next = 0
        while next < members.count {
            let set = members[next]
            accepting.append(set.contains(self.nfa.match))
            guard let ended = intern(self.closure(set, atStart: false, atEnd: true)) else { return nil }
            atEnd.append(ended)
            for symbol in representatives {
                var seeds: [Int] = []
                for state in set {
                    if case .consume(let accepted, let target) = self.nfa.states[state], accepted.contains(symbol) {
                        seeds.append(target)
                    }
                }
                seeds.append(self.entry)
                guard let target = intern(self.closure(seeds, atStart: false, atEnd: false)) else { return nil }
                transitions.append(target)
            }
            next += 1
        }
        return Result(
            transitions: transitions,
            atEnd: atEnd,
            accepting: accepting,
            classes: classes,
            classCount: classCount,
            initial: initial,
            initialAtEnd: initialAtEnd
        )
    }
}
