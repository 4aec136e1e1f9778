/// An absolute URL split into its parts: the one URL parser of the project.
///
/// Scheme and host are lower-cased; a trailing dot of the host and an empty or default port
/// are dropped. The path, query and fragment are kept as written (the canonicaliser
/// normalises them). Built for the URLs feeds and pages name, not for every corner of
/// RFC 3986: what it cannot read gives `nil`, never a guess.
public struct WebURL: Sendable, Hashable, CustomStringConvertible {
    /// `http`, `https`, `file`, … in lower case.
    public var scheme: String
    /// `user:password` before the host, if any.
    public var userInfo: String?
    /// The host in lower case; an IPv6 literal keeps its brackets. Empty for `file:///path`.
    public var host: String
    /// The port, when one other than the scheme's default is given.
    public var port: Int?
    /// The path, `/` when the URL has none.
    public var path: String
    /// The query without its `?`; `nil` when there is no `?`.
    public var query: String?
    /// The fragment without its `#`.
    public var fragment: String?

    /// Host prefixes that name the same site as the bare host (`www.`, mobile and AMP hosts).
    public static let sameSitePrefixes: [String] = ["www.", "m.", "mobile.", "amp."]

    /// Parses an absolute URL (`scheme://authority/path?query#fragment`); leading and
    /// trailing white space is ignored. Works on the UTF-8 bytes: it runs for every item of
    /// every feed.
    public init?(_ text: String) {
        var text = text
        guard
            let parsed = text.withUTF8({ bytes -> WebURL? in
                var start = 0
                var end = bytes.count
                func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }
                while start < end, isSpace(bytes[start]) { start += 1 }
                while end > start, isSpace(bytes[end - 1]) { end -= 1 }
                // The scheme: a letter, then letters, digits, `+`, `-`, `.`, up to `://`.
                var index = start
                while index < end {
                    let byte = bytes[index]
                    let isLetter = (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A
                    if isLetter
                        || (index > start
                            && ((byte >= 0x30 && byte <= 0x39) || byte == 0x2B || byte == 0x2D || byte == 0x2E))
                    {
                        index += 1
                        continue
                    }
                    break
                }
                guard index > start, index + 3 <= end,
                    bytes[index] == 0x3A, bytes[index + 1] == 0x2F, bytes[index + 2] == 0x2F
                else { return nil }
                func string(_ from: Int, _ to: Int) -> String {
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[from..<to]), as: UTF8.self)
                }
                func lowered(_ from: Int, _ to: Int) -> String {
                    var copy = Array(bytes[from..<to])
                    for position in copy.indices where copy[position] >= 0x41 && copy[position] <= 0x5A {
                        copy[position] += 0x20
                    }
                    return String(decoding: copy, as: UTF8.self)
                }
                let scheme = lowered(start, index)
                var rest = index + 3
                var fragment: String?
                var limit = end
                if let hash = (rest..<end).first(where: { bytes[$0] == 0x23 }) {
                    fragment = string(hash + 1, end)
                    limit = hash
                }
                let authorityEnd = (rest..<limit).first { bytes[$0] == 0x2F || bytes[$0] == 0x3F } ?? limit
                var hostStart = rest
                var userInfo: String?
                if let at = (rest..<authorityEnd).last(where: { bytes[$0] == 0x40 }) {
                    userInfo = string(rest, at)
                    hostStart = at + 1
                }
                var hostEnd = authorityEnd
                var port: Int?
                func readPort(_ from: Int) -> Int?? {
                    guard from < authorityEnd else { return .some(nil) }
                    var value = 0
                    for position in from..<authorityEnd {
                        let digit = bytes[position]
                        guard digit >= 0x30 && digit <= 0x39, value <= 65535 else { return nil }
                        value = value * 10 + Int(digit - 0x30)
                    }
                    return value <= 65535 ? .some(value) : nil
                }
                if hostStart < authorityEnd && bytes[hostStart] == 0x5B {
                    guard let close = (hostStart..<authorityEnd).first(where: { bytes[$0] == 0x5D }) else { return nil }
                    hostEnd = close + 1
                    if hostEnd < authorityEnd {
                        guard bytes[hostEnd] == 0x3A, let value = readPort(hostEnd + 1) else { return nil }
                        port = value
                    }
                } else if let colon = (hostStart..<authorityEnd).last(where: { bytes[$0] == 0x3A }) {
                    guard let value = readPort(colon + 1) else { return nil }
                    port = value
                    hostEnd = colon
                }
                // Every trailing dot, so that a canonical URL canonicalises to itself (`host..`).
                while hostEnd > hostStart && bytes[hostEnd - 1] == 0x2E && bytes[hostStart] != 0x5B { hostEnd -= 1 }
                guard hostEnd > hostStart || scheme == "file" else { return nil }
                for position in hostStart..<hostEnd {
                    let byte = bytes[position]
                    // A colon outside brackets is no host (`host:.:80`): the URL is not read.
                    if byte == 0x20 || byte == 0x2F || byte == 0x5C || (byte == 0x3A && bytes[hostStart] != 0x5B) {
                        return nil
                    }
                }
                let host = lowered(hostStart, hostEnd)
                if let value = port, Self.defaultPort(of: scheme) == value { port = nil }
                rest = authorityEnd
                var path = "/"
                var query: String?
                if let question = (rest..<limit).first(where: { bytes[$0] == 0x3F }) {
                    if question > rest { path = string(rest, question) }
                    query = string(question + 1, limit)
                } else if limit > rest {
                    path = string(rest, limit)
                }
                return WebURL(
                    scheme: scheme,
                    userInfo: userInfo,
                    host: host,
                    port: port,
                    path: path,
                    query: query,
                    fragment: fragment
                )
            })
        else { return nil }
        self = parsed
    }

    /// A URL from its parts (as they are: nothing is checked or lower-cased).
    public init(
        scheme: String,
        userInfo: String? = nil,
        host: String,
        port: Int? = nil,
        path: String = "/",
        query: String? = nil,
        fragment: String? = nil
    ) {
        self.scheme = scheme
        self.userInfo = userInfo
        self.host = host
        self.port = port
        self.path = path
        self.query = query
        self.fragment = fragment
    }

    /// The default port of `scheme` (80 for http, 443 for https).
    public static func defaultPort(of scheme: String) -> Int? {
        switch scheme {
        case "http": 80
        case "https": 443
        default: nil
        }
    }

    /// Whether the URL is one the network fetcher may follow: `http` or `https` with a host.
    public var isWeb: Bool { (self.scheme == "http" || self.scheme == "https") && !self.host.isEmpty }

    /// `host` or `host:port`.
    public var authority: String {
        self.port.map { "\(self.host):\($0)" } ?? self.host
    }

    /// The origin: `scheme://host[:port]`.
    public var origin: String { "\(self.scheme)://\(self.authority)" }

    /// The host without a `www.`/mobile/AMP prefix: what "the same site" compares.
    public var site: String {
        for prefix in Self.sameSitePrefixes where self.host.hasPrefix(prefix) && self.host.count > prefix.count {
            return String(self.host.dropFirst(prefix.count))
        }
        return self.host
    }

    /// The URL written out again (user info, scheme's default port and nothing else dropped).
    public var description: String {
        var text = self.scheme + "://"
        if let userInfo = self.userInfo { text += userInfo + "@" }
        text += self.authority + self.path
        if let query = self.query { text += "?" + query }
        if let fragment = self.fragment { text += "#" + fragment }
        return text
    }

    /// Whether `text` is an absolute `http` or `https` URL.
    public static func isWeb(_ text: String) -> Bool {
        // The common case without building the parts: `http://` or `https://` and a host.
        var text = text
        let quick = text.withUTF8 { bytes -> Bool? in
            guard bytes.count > 8 else { return nil }
            let lower = (0..<8).map { bytes[$0] >= 0x41 && bytes[$0] <= 0x5A ? bytes[$0] + 0x20 : bytes[$0] }
            let hostStart: Int
            if lower[0..<7].elementsEqual("http://".utf8) {
                hostStart = 7
            } else if lower.elementsEqual("https://".utf8) {
                hostStart = 8
            } else {
                return nil
            }
            let first = bytes[hostStart]
            let plain = (first | 0x20) >= 0x61 && (first | 0x20) <= 0x7A || (first >= 0x30 && first <= 0x39)
            guard plain else { return nil }
            for position in hostStart..<bytes.count {
                let byte = bytes[position]
                if byte == 0x2F || byte == 0x3F || byte == 0x23 { return true }
                if byte <= 0x20 || byte == 0x40 || byte == 0x5C || byte == 0x5B || byte == 0x3A { return nil }
            }
            return true
        }
        if let quick { return quick }
        return WebURL(text)?.isWeb ?? false
    }
}
