public import NewswireCore

/// Turns the many URLs of one story into one canonical URL.
///
/// Lower-cases scheme and host, drops the default port, the fragment, tracking parameters
/// and empty query parts, sorts what is left of the query, normalises percent-encoding
/// (RFC 3986 section 6.2.2: unreserved characters decoded, other escapes in upper case),
/// removes dot segments and the trailing slash of non-root paths. Stateless and thread-safe.
public struct URLCanonicalizer: Sendable {
    /// Query parameters that only track the reader, never select content (compared in lower case).
    ///
    /// Every parameter starting with one of ``trackingPrefixes`` is dropped too.
    public static let trackingParameters: Set<String> = [
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "yclid", "igshid",
        "_ga", "_gl", "_hsenc", "_hsmi", "ref_src", "ref_url", "cmpid", "ocid", "spm", "smid", "sr_share",
        "twclid", "ttclid", "li_fat_id", "mkt_tok", "vero_id", "vero_conv", "oly_enc_id", "oly_anon_id",
        "rb_clickid", "s_cid", "wt_mc", "wt.mc_id", "at_medium", "at_campaign", "ns_mchannel", "ns_source",
        "ns_campaign", "ns_linkname", "ns_fee", "ito", "cmp", "xtor", "guccounter", "guce_referrer",
        "guce_referrer_sig",
    ]

    /// Prefixes of tracking parameter names (compared in lower case).
    public static let trackingPrefixes: [String] = ["utm_", "pk_", "mtm_", "hmb_", "itm_"]

    /// The fragment prefix of the URL of a feed item that has no link of its own
    /// (`FEED-URL#newswire-item=ID`): the only fragment canonical URLs keep.
    public static let itemFragmentPrefix = "newswire-item="

    public init() {}

    /// The canonical form of `url`, or `url` unchanged when it is not an absolute http(s) URL.
    public func canonicalize(_ url: String) -> String {
        guard let parts = WebURL(url), parts.isWeb else { return url }
        var canonical = "\(parts.scheme)://\(parts.authority)\(Self.normalizePath(Substring(parts.path)))"
        // Split on scalars, not characters: a combining mark after `&` or `=` forms one
        // character with it, and the delimiter would vanish (found by scripts/fuzz url).
        let parameters = (parts.query ?? "").unicodeScalars.split(separator: "&").map(Substring.init)
        let kept = parameters.compactMap { parameter -> (name: String, value: String)? in
            let pair = parameter.unicodeScalars.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                .map(Substring.init)
            let name = Self.normalizePercentEncoding(pair[0], decodePlus: true)
            let lowered = name.lowercased()
            guard !name.isEmpty, !Self.isTracking(lowered) else { return nil }
            let value = pair.count > 1 ? Self.normalizePercentEncoding(pair[1], decodePlus: true) : nil
            return (name, value.map { "=" + $0 } ?? "")
        }.sorted { ($0.name, $0.value) < ($1.name, $1.value) }
        if !kept.isEmpty { canonical += "?" + kept.map { $0.name + $0.value }.joined(separator: "&") }
        // The one fragment kept: the identifier Newswire gives a feed item with no link.
        if let fragment = parts.fragment, fragment.hasPrefix(Self.itemFragmentPrefix) { canonical += "#" + fragment }
        return canonical
    }

    /// The URL to publish for a page: its declared canonical URL (`<link rel=canonical>`, then
    /// `og:url`) when that points to the same site as the fetched URL, else the fetched URL;
    /// canonicalised either way.
    ///
    /// A declared URL on another site is ignored: a page must not be able to claim another
    /// site's story (and with it that story's id).
    /// - Parameters:
    ///   - fetchedURL: The URL actually fetched, after redirects.
    ///   - declaredURLs: Candidates in order of preference; relative or non-http URLs are skipped.
    public func preferredURL(fetchedURL: String, declaredURLs: [String?]) -> String {
        let fetched = self.canonicalize(fetchedURL)
        guard let fetchedSite = WebURL(fetched).map(\.site) else { return fetched }
        for case let declared? in declaredURLs {
            guard let parts = WebURL(declared), parts.isWeb, parts.site == fetchedSite else { continue }
            return self.canonicalize(declared)
        }
        return fetched
    }

    /// Whether a lower-cased parameter name is a tracking parameter.
    public static func isTracking(_ name: String) -> Bool {
        Self.trackingParameters.contains(name) || Self.trackingPrefixes.contains { name.hasPrefix($0) }
    }

    /// Normalises escapes, removes dot segments and the trailing slash of a non-root path.
    static func normalizePath(_ path: Substring) -> String {
        Self.isNormalPath(path) ? String(path) : Self.rewritePath(path)
    }

    /// ``normalizePath(_:)`` the long way, for any path.
    static func rewritePath(_ path: Substring) -> String {
        let normalized = Self.normalizePercentEncoding(path, decodePlus: false)
        var output: [Substring] = []
        let segments = normalized.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for segment in segments {
            switch segment {
            case ".": continue
            case "..": if !output.isEmpty { output.removeLast() }
            default: output.append(segment)
            }
        }
        while let last = output.last, last.isEmpty { output.removeLast() }
        return "/" + output.joined(separator: "/")
    }

    /// Whether `path` is its own normal form, as most paths of feed links are: it starts with
    /// `/`, ends with no `/` (unless it is `/`), holds no escape, no byte that must be escaped
    /// and no `/.` (so no dot segment).
    static func isNormalPath(_ path: Substring) -> Bool {
        var path = path
        return path.withUTF8 { bytes in
            guard let first = bytes.first, first == UInt8(ascii: "/") else { return false }
            if bytes.count > 1 && bytes[bytes.count - 1] == UInt8(ascii: "/") { return false }
            var previous: UInt8 = 0
            for byte in bytes {
                if byte <= 0x20 || byte >= 0x7f || byte == UInt8(ascii: "%") || byte == UInt8(ascii: "\"")
                    || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
                    || (byte == UInt8(ascii: ".") && previous == UInt8(ascii: "/"))
                {
                    return false
                }
                previous = byte
            }
            return true
        }
    }

    /// Decodes escapes of unreserved characters, upper-cases the hex digits of the others and
    /// escapes bytes that may not appear raw (RFC 3986 sections 2.3 and 6.2.2).
    ///
    /// With `decodePlus`, a `+` (a space in form encoding) becomes `%20` so both spellings agree.
    static func normalizePercentEncoding(_ text: Substring, decodePlus: Bool) -> String {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                let decoded = high << 4 | low
                if isUnreserved(decoded) {
                    output.append(decoded)
                } else {
                    output.append(contentsOf: percentEscape(decoded))
                }
                index += 3
                continue
            }
            if decodePlus && byte == UInt8(ascii: "+") {
                output.append(contentsOf: Array("%20".utf8))
            } else if byte <= 0x20 || byte >= 0x7f || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "<")
                || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "%")
            {
                output.append(contentsOf: percentEscape(byte))
            } else {
                output.append(byte)
            }
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

private func isUnreserved(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
        UInt8(ascii: "~"):
        true
    default: false
    }
}

private func percentEscape(_ byte: UInt8) -> [UInt8] {
    let digits = Array("0123456789ABCDEF".utf8)
    return [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]]
}
