/// Which addresses the fetcher may connect to.
///
/// URLs come from strangers (feeds name items, pages redirect), so a URL must not make the
/// fetcher read the host's own services, a private network or a cloud metadata address.
/// The check runs on the address libcurl is **about to connect to**, after DNS resolution,
/// in `CURLOPT_OPENSOCKETFUNCTION` (curl_easy_setopt(3): "the callback is called before a
/// socket is opened"), for every connection of a transfer, every redirect hop included.
/// A host name that resolves to a refused address, a decimal or octal spelling of one
/// (`http://2130706433/`), or an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) all end at
/// the same check, so neither DNS rebinding nor a spelling gets around it.
///
/// An address is allowed when it lies in one of ``allowed``; otherwise it is refused when it
/// lies in one of the ``refusedRanges`` (loopback, private, shared, link-local, multicast,
/// reserved, unspecified), and allowed when it lies in none.
public struct NetworkPolicy: Sendable, Hashable {
    /// Blocks opened on purpose (`allow_networks`, `--allow-network`), checked first.
    public var allowed: [CIDR]

    /// A refusal: the address and the rule that refused it.
    public struct Refusal: Sendable, Hashable, CustomStringConvertible {
        /// The address as text (`127.0.0.2`, `fe80::1`).
        public var address: String
        /// The rule's name and block (`loopback 127.0.0.0/8`).
        public var rule: String

        public var description: String {
            "refused to connect to \(self.address) (\(self.rule)); allow_networks or --allow-network opens it"
        }
    }

    /// Refuses the ``refusedRanges`` except what `allowed` opens.
    public init(allowing allowed: [CIDR] = []) {
        self.allowed = allowed
    }

    /// Parses `blocks` such as `127.0.0.0/8`; `nil` when one is not a CIDR block.
    public init?(allowing blocks: [String]) {
        var parsed: [CIDR] = []
        for block in blocks {
            guard let cidr = CIDR(block) else { return nil }
            parsed.append(cidr)
        }
        self.init(allowing: parsed)
    }

    /// The blocks refused unless opened, with the name each refusal quotes.
    public static let refusedRanges: [(name: String, block: CIDR)] = [
        ("unspecified", "0.0.0.0/8"),
        ("private", "10.0.0.0/8"),
        ("shared address space (RFC 6598)", "100.64.0.0/10"),
        ("loopback", "127.0.0.0/8"),
        ("link-local", "169.254.0.0/16"),
        ("private", "172.16.0.0/12"),
        ("reserved (IETF protocol assignments)", "192.0.0.0/24"),
        ("reserved (documentation)", "192.0.2.0/24"),
        ("private", "192.168.0.0/16"),
        ("reserved (benchmarking)", "198.18.0.0/15"),
        ("reserved (documentation)", "198.51.100.0/24"),
        ("reserved (documentation)", "203.0.113.0/24"),
        ("multicast", "224.0.0.0/4"),
        ("reserved", "240.0.0.0/4"),
        ("unspecified", "::/128"),
        ("loopback", "::1/128"),
        ("reserved (IPv4-compatible)", "::/96"),
        ("reserved (discard)", "100::/64"),
        ("reserved (documentation)", "2001:db8::/32"),
        ("unique local (private)", "fc00::/7"),
        ("link-local", "fe80::/10"),
        ("reserved (site-local)", "fec0::/10"),
        ("multicast", "ff00::/8"),
    ].map { ($0.0, CIDR($0.1)!) }

    /// `nil` when `address` (4 or 16 bytes) may be connected to, else why not.
    ///
    /// IPv4-mapped (`::ffff:a.b.c.d`) and NAT64 (`64:ff9b::a.b.c.d`) addresses are judged as
    /// the IPv4 address they carry.
    public func refusal(for address: [UInt8]) -> Refusal? {
        let text = Self.text(of: address)
        let judged = Self.embeddedIPv4(address) ?? address
        if self.allowed.contains(where: { $0.contains(judged) || $0.contains(address) }) {
            return nil
        }
        guard address.count == 4 || address.count == 16 else {
            return Refusal(address: text, rule: "not an IP address")
        }
        for range in Self.refusedRanges where range.block.contains(judged) {
            return Refusal(address: text, rule: "\(range.name) \(range.block)")
        }
        return nil
    }

    /// The IPv4 address inside an IPv4-mapped or NAT64 IPv6 address.
    static func embeddedIPv4(_ address: [UInt8]) -> [UInt8]? {
        guard address.count == 16 else { return nil }
        let mapped = address[0..<10].allSatisfy { $0 == 0 } && address[10] == 0xFF && address[11] == 0xFF
        let nat64 = address[0..<12].elementsEqual([0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0])
        return mapped || nat64 ? Array(address[12..<16]) : nil
    }

    /// Dotted IPv4, or IPv6 as eight hexadecimal groups with the longest zero run as `::`.
    static func text(of address: [UInt8]) -> String {
        if address.count == 4 {
            return address.map(String.init).joined(separator: ".")
        }
        guard address.count == 16 else { return "?" }
        let groups = stride(from: 0, to: 16, by: 2).map { UInt16(address[$0]) << 8 | UInt16(address[$0 + 1]) }
        var best = (start: -1, length: 0)
        var run = (start: -1, length: 0)
        for (index, group) in groups.enumerated() {
            if group == 0 {
                run = run.start < 0 ? (index, 1) : (run.start, run.length + 1)
                if run.length > best.length { best = run }
            } else {
                run = (-1, 0)
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard best.length >= 2 else { return hex.joined(separator: ":") }
        let head = hex[..<best.start].joined(separator: ":")
        let tail = hex[(best.start + best.length)...].joined(separator: ":")
        return head + "::" + tail
    }
}
