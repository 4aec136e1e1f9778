import NewswireCore

/// A parsed `robots.txt` (RFC 9309, the Robots Exclusion Protocol).
///
/// Lines are `user-agent`, `allow` and `disallow` (any case, `#` starts a comment); lines
/// it cannot read are ignored, as §2.2 asks. A group is one or more `user-agent` lines and
/// the rules after them. A crawler obeys every group that names its product token (any
/// case), else every `*` group, else nothing (§2.2.1). Of the rules that match a path the
/// longest pattern wins, and `allow` wins a tie (§2.2.2); `*` matches any run of bytes and
/// a final `$` anchors the end (§2.2.3). `/robots.txt` itself is always allowed (§2.2.2).
public struct RobotsTxt: Sendable, Hashable {
    /// One `allow` or `disallow` line.
    public struct Rule: Sendable, Hashable, CustomStringConvertible {
        public var allows: Bool
        /// The path pattern with its percent-encoding normalised (upper-case hex, non-ASCII encoded).
        public var pattern: String

        public var description: String { "\(self.allows ? "Allow" : "Disallow"): \(self.pattern)" }
    }

    /// Whether a path may be fetched, and the rule that decided it (`nil`: no rule matched).
    public struct Verdict: Sendable, Hashable {
        public var allowed: Bool
        public var rule: Rule?
    }

    private struct Group: Sendable, Hashable {
        var agents: [String] = []
        var rules: [Rule] = []
    }

    private var groups: [Group]
    /// Set for a robots.txt that could not be read: every path is disallowed (§2.3.1.4).
    private var disallowsAll = false

    /// The bytes parsed at most: RFC 9309 §2.5 asks for at least 500 kibibytes.
    public static let parsedBytes = 500 * 1024

    /// Parses the body of a robots.txt; its first ``parsedBytes`` bytes count.
    public init(_ body: [UInt8]) {
        var groups: [Group] = []
        var current = Group()
        var inAgents = false
        let text = String(decoding: body.prefix(Self.parsedBytes), as: UTF8.self)
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingASCIIWhitespace().lowercased()
            let value = line[line.index(after: colon)...].trimmingASCIIWhitespace()
            switch key {
            case "user-agent":
                if !inAgents {
                    if !current.agents.isEmpty { groups.append(current) }
                    current = Group()
                    inAgents = true
                }
                current.agents.append(Self.productToken(of: value))
            case "allow", "disallow":
                inAgents = false
                // Rules before the first user-agent line belong to no group; an empty
                // pattern matches nothing (`Disallow:` allows everything).
                guard !current.agents.isEmpty, !value.isEmpty else { continue }
                current.rules.append(Rule(allows: key == "allow", pattern: Self.normalised(value)))
            default:
                // `sitemap` and unknown keys do not end a run of user-agent lines
                // (RFC 9309 §2.2.4: other records are not part of a group).
                continue
            }
        }
        if !current.agents.isEmpty { groups.append(current) }
        self.groups = groups
    }

    private init(groups: [Group], disallowsAll: Bool) {
        self.groups = groups
        self.disallowsAll = disallowsAll
    }

    /// No rules: everything allowed (an absent robots.txt, a 4xx answer).
    public static let allowsEverything = RobotsTxt(groups: [], disallowsAll: false)
    /// Everything disallowed: a robots.txt that could not be read (5xx, unreachable).
    public static let disallowsEverything = RobotsTxt(groups: [], disallowsAll: true)

    /// Whether `path` (path and query of a URL) may be fetched by `userAgent`.
    public func verdict(for path: String, userAgent: String) -> Verdict {
        let target = Self.normalised(path.isEmpty ? "/" : path)
        if target == "/robots.txt" { return Verdict(allowed: true, rule: nil) }
        if self.disallowsAll { return Verdict(allowed: false, rule: Rule(allows: false, pattern: "/")) }
        let token = Self.productToken(of: userAgent)
        var chosen = self.groups.filter { $0.agents.contains(token) }
        if chosen.isEmpty { chosen = self.groups.filter { $0.agents.contains("*") } }
        var best: Rule?
        let bytes = Array(target.utf8)
        for group in chosen {
            for rule in group.rules where Self.matches(Array(rule.pattern.utf8), bytes) {
                guard let current = best else {
                    best = rule
                    continue
                }
                let (length, currentLength) = (rule.pattern.utf8.count, current.pattern.utf8.count)
                if length > currentLength || (length == currentLength && rule.allows && !current.allows) {
                    best = rule
                }
            }
        }
        return Verdict(allowed: best?.allows ?? true, rule: best)
    }

    /// The product token of a `User-Agent`: `newswire` of `newswire/0.1 (+https://…)`,
    /// lower-cased, letters, `_` and `-` only (RFC 9309 §2.2.1); `*` stays `*`.
    public static func productToken(of userAgent: String) -> String {
        let trimmed = userAgent.trimmingASCIIWhitespace()
        if trimmed.hasPrefix("*") { return "*" }
        return String(
            trimmed.lowercased().prefix { $0.isASCII && ($0.isLetter || $0 == "_" || $0 == "-") }
        )
    }

    /// Percent-encodes non-ASCII bytes and upper-cases the hex of existing escapes, so a
    /// pattern and a path written differently compare alike (RFC 9309 §2.2.2).
    static func normalised(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        let bytes = Array(text.utf8)
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count, bytes[index + 1].isHexDigit,
                bytes[index + 2].isHexDigit
            {
                output.append(byte)
                output.append(bytes[index + 1].upperHex)
                output.append(bytes[index + 2].upperHex)
                index += 3
                continue
            }
            if byte >= 0x80 || byte <= 0x20 {
                output.append(UInt8(ascii: "%"))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            } else {
                output.append(byte)
            }
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Whether `pattern` matches the start of `path` (the whole of it with a final `$`).
    /// Greedy wildcard matching with backtracking to the last `*`: linear in practice.
    static func matches(_ pattern: [UInt8], _ path: [UInt8]) -> Bool {
        var pattern = pattern[...]
        var anchored = false
        if pattern.last == UInt8(ascii: "$") {
            anchored = true
            pattern = pattern.dropLast()
        }
        let star = UInt8(ascii: "*")
        var (p, s) = (pattern.startIndex, 0)
        var lastStar: Int?
        var resume = 0
        while s < path.count {
            if p < pattern.endIndex && pattern[p] == star {
                lastStar = p
                p += 1
                resume = s
            } else if p < pattern.endIndex && pattern[p] == path[s] {
                p += 1
                s += 1
            } else if p == pattern.endIndex && !anchored {
                return true
            } else if let star = lastStar {
                p = star + 1
                resume += 1
                s = resume
            } else {
                return false
            }
        }
        while p < pattern.endIndex && pattern[p] == star { p += 1 }
        return p == pattern.endIndex
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }

    fileprivate var upperHex: UInt8 {
        (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self) ? self - 32 : self
    }
}

extension Substring {
    fileprivate func trimmingASCIIWhitespace() -> String { String(self).trimmingASCIIWhitespace() }
}
