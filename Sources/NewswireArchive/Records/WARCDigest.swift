import Crypto

/// A running SHA-1 that prints as a WARC digest, `sha1:` and 32 base32 characters.
///
/// WARC 1.1 §5.8–5.9 leave the algorithm open; `sha1` in base32 (RFC 4648) is what
/// Heritrix, wget, warcio and Common Crawl write, so it is what we write and check.
struct WARCDigester {
    private var hash = Insecure.SHA1()

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        self.hash.update(bufferPointer: bytes)
    }

    /// The digest so far, as `sha1:BASE32`.
    func finalize() -> String {
        "sha1:" + Base32.encode(self.finalizeBytes())
    }

    /// The 20 bytes of the digest so far.
    func finalizeBytes() -> [UInt8] {
        Array(self.hash.finalize())
    }

    /// `sha1:BASE32` of `bytes`.
    static func digest(of bytes: UnsafeRawBufferPointer) -> String {
        var digester = WARCDigester()
        digester.update(bytes)
        return digester.finalize()
    }
}

/// Base32 of RFC 4648 §6 (`A–Z2–7`), as WARC digests use it.
enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 8 + 4) / 5 + 8)
        var buffer: UInt64 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt64(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(Self.alphabet[Int((buffer >> UInt64(bits)) & 31)])
            }
        }
        if bits > 0 {
            out.append(Self.alphabet[Int((buffer << UInt64(5 - bits)) & 31)])
        }
        while out.count % 8 != 0 { out.append(UInt8(ascii: "=")) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes base32 (case-insensitive, padding optional); nil for a character outside it.
    static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer: UInt64 = 0
        var bits = 0
        for char in text.utf8 {
            let value: UInt8
            switch char {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = char - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = char - UInt8(ascii: "a")
            case UInt8(ascii: "2")...UInt8(ascii: "7"): value = char - UInt8(ascii: "2") + 26
            case UInt8(ascii: "="): continue
            default: return nil
            }
            buffer = (buffer << 5) | UInt64(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((buffer >> UInt64(bits)) & 0xFF))
            }
        }
        return out
    }
}

/// Digest values as written by others: `sha1:BASE32` (the norm), `sha1:hex`, `sha1:base64`,
/// or another algorithm.
enum DigestValue: Equatable {
    /// A SHA-1 value, decoded.
    case sha1([UInt8])
    /// Labelled `sha1` but not 20 bytes in base32, hex or base64.
    case unreadableSHA1
    /// Another algorithm (`sha256:`, `md5:`…), which we do not check.
    case other

    init(_ value: String) {
        guard let colon = value.firstIndex(of: ":"), value[..<colon].lowercased() == "sha1" else {
            self = .other
            return
        }
        let text = String(value[value.index(after: colon)...].filter { $0 != " " && $0 != "\t" })
        if text.utf8.count == 40, let bytes = Self.hex(text) {
            self = .sha1(bytes)
        } else if text.utf8.count == 32, let bytes = Base32.decode(text), bytes.count == 20 {
            self = .sha1(bytes)
        } else if text.utf8.count == 28, let bytes = Self.base64(text), bytes.count == 20 {
            self = .sha1(bytes)
        } else {
            self = .unreadableSHA1
        }
    }

    private static func hex(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var high: UInt8?
        for char in text.utf8 {
            let value: UInt8
            switch char {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = char - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = char - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = char - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let h = high {
                out.append(h << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return out
    }

    private static func base64(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for char in text.utf8 {
            let value: UInt8
            switch char {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = char - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = char - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = char - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"), UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): value = 63
            case UInt8(ascii: "="): continue
            default: return nil
            }
            buffer = (buffer << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }
}
