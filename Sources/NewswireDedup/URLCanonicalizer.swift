import Foundation

/// Turns the many URLs of one story into one canonical URL.
///
/// Lower-cases scheme and host, drops the default port, the fragment and tracking
/// parameters, and sorts what is left of the query. Stateless and thread-safe.
public struct URLCanonicalizer: Sendable {
    /// Query parameters that only track the reader, never select content.
    public static let trackingParameters: Set<String> = [
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "yclid", "igshid",
        "_ga", "_gl", "ref_src", "ref_url", "cmpid", "ocid", "spm", "smid", "sr_share",
    ]

    public init() {}

    /// The canonical form of `url`, or `url` unchanged when it is not an http(s) URL.
    public func canonicalize(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return url }
        var rest = url[schemeEnd.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd].lowercased()
        if scheme == "http", authority.hasSuffix(":80") { authority.removeLast(3) }
        if scheme == "https", authority.hasSuffix(":443") { authority.removeLast(4) }
        let pathAndQuery = rest[authorityEnd...]
        var path = pathAndQuery
        var query: Substring = ""
        if let question = pathAndQuery.firstIndex(of: "?") {
            path = pathAndQuery[..<question]
            query = pathAndQuery[pathAndQuery.index(after: question)...]
        }
        var canonical = "\(scheme)://\(authority)\(path.isEmpty ? "/" : path)"
        let kept = query.split(separator: "&").filter { parameter in
            let name = parameter.split(separator: "=", maxSplits: 1).first.map { $0.lowercased() } ?? ""
            return !name.isEmpty && !name.hasPrefix("utm_") && !Self.trackingParameters.contains(name)
        }.sorted()
        if !kept.isEmpty { canonical += "?" + kept.joined(separator: "&") }
        return canonical
    }
}
