import Foundation

/// An IPv4 or IPv6 address block such as `127.0.0.0/8` or `::1/128`.
///
/// ``NetworkPolicy`` matches the address each connection is about to use against these
/// blocks; `allow_networks` and `--allow-network` name them.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    public var address: [UInt8]
    public var prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return nil }
        guard let bytes = Self.parseIPv4(parts[0]) ?? Self.parseIPv6(parts[0]) else { return nil }
        let maximum = bytes.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...maximum).contains(length) else { return nil }
            self.prefixLength = length
        } else {
            self.prefixLength = maximum
        }
        self.address = bytes
    }

    /// Whether `address` (4 or 16 bytes) lies in the block.
    public func contains(_ address: [UInt8]) -> Bool {
        guard address.count == self.address.count else { return false }
        var remaining = self.prefixLength
        for index in 0..<address.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if address[index] & mask != self.address[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    public var description: String {
        NetworkPolicy.text(of: self.address) + "/\(self.prefixLength)"
    }

    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    static func parseIPv6(_ text: Substring) -> [UInt8]? {
        guard text.contains(":") else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            guard !part.isEmpty else { return [] }
            var result: [UInt16] = []
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard !group.isEmpty, group.count <= 4, let value = UInt16(group, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        // A trailing dotted IPv4 part (`::ffff:127.0.0.1`) stands for the last two groups.
        var last = halves[halves.count - 1]
        var embedded: [UInt16] = []
        if let colon = last.lastIndex(of: ":"), last[last.index(after: colon)...].contains(".") {
            guard let v4 = parseIPv4(Substring(last[last.index(after: colon)...])) else { return nil }
            embedded = [UInt16(v4[0]) << 8 | UInt16(v4[1]), UInt16(v4[2]) << 8 | UInt16(v4[3])]
            last = String(last[...colon])
            if last.hasSuffix(":") && !last.hasSuffix("::") { last.removeLast() }
        } else if last.contains(".") {
            guard halves.count == 2, let v4 = parseIPv4(Substring(last)) else { return nil }
            embedded = [UInt16(v4[0]) << 8 | UInt16(v4[1]), UInt16(v4[2]) << 8 | UInt16(v4[3])]
            last = ""
        }
        var parts = halves
        parts[parts.count - 1] = last
        guard let head = groups(parts[0]) else { return nil }
        var all = head
        if parts.count == 2 {
            guard let tail = groups(parts[1]), head.count + tail.count + embedded.count < 8 else { return nil }
            all += Array(repeating: 0, count: 8 - head.count - tail.count - embedded.count) + tail
        }
        all += embedded
        guard all.count == 8 else { return nil }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }
}
