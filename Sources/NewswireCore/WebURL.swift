import Foundation

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
    /// trailing white space is ignored.
    public init?(_ text: String) {
        var rest = Substring(text)
        while let first = rest.first, first.isWhitespace { rest.removeFirst() }
        while let last = rest.last, last.isWhitespace { rest.removeLast() }
        guard let schemeEnd = rest.range(of: "://") else { return nil }
        let scheme = rest[..<schemeEnd.lowerBound].lowercased()
        guard let first = scheme.first, first.isLetter,
            scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." })
        else { return nil }
        rest = rest[schemeEnd.upperBound...]
        if let hash = rest.firstIndex(of: "#") {
            self.fragment = String(rest[rest.index(after: hash)...])
            rest = rest[..<hash]
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            self.userInfo = String(authority[..<at])
            authority = authority[authority.index(after: at)...]
        }
        var host = authority
        var port: Int?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                let digits = after.dropFirst()
                if !digits.isEmpty {
                    guard let value = Int(digits), (0...65535).contains(value) else { return nil }
                    port = value
                }
            } else if !after.isEmpty {
                return nil
            }
            host = host[...close]
        } else if let colon = host.lastIndex(of: ":") {
            let digits = host[host.index(after: colon)...]
            if !digits.isEmpty {
                guard let value = Int(digits), (0...65535).contains(value) else { return nil }
                port = value
            }
            host = host[..<colon]
        }
        var lowered = host.lowercased()
        if lowered.hasSuffix(".") { lowered.removeLast() }
        guard !lowered.isEmpty || scheme == "file" else { return nil }
        guard !lowered.contains(where: { $0 == " " || $0 == "/" || $0 == "\\" }) else { return nil }
        if let value = port, Self.defaultPort(of: scheme) == value { port = nil }
        self.scheme = scheme
        self.host = lowered
        self.port = port
        let pathAndQuery = rest[authorityEnd...]
        if let question = pathAndQuery.firstIndex(of: "?") {
            let path = pathAndQuery[..<question]
            self.path = path.isEmpty ? "/" : String(path)
            self.query = String(pathAndQuery[pathAndQuery.index(after: question)...])
        } else {
            self.path = pathAndQuery.isEmpty ? "/" : String(pathAndQuery)
            self.query = nil
        }
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
        WebURL(text)?.isWeb ?? false
    }
}
