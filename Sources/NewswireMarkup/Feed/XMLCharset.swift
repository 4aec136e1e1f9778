import NewswireCore

/// Charset rules for XML feeds, on top of ``Charset``.
///
/// RFC 3023 gives the HTTP charset precedence over the XML declaration; a BOM wins over both.
/// A document with neither BOM nor declaration that starts with `<\0` or `\0<` is UTF-16
/// (XML 1.0 appendix F).
enum XMLCharset {
    struct Decoded {
        var utf8: [UInt8]
        var encoding: String
        var overruled: Bool
    }

    static func decode(_ bytes: [UInt8], contentType: String?) -> Decoded {
        if Charset.byteOrderMark(bytes) == nil, bytes.count >= 4 {
            let label: String? =
                switch (bytes[0], bytes[1], bytes[2], bytes[3]) {
                case (0x3C, 0, 0, 0): "utf-32le"
                case (0, 0, 0, 0x3C): "utf-32be"
                case (0x3C, 0, _, _): "utf-16le"
                case (0, 0x3C, _, _): "utf-16be"
                default: nil
                }
            if let label {
                return Decoded(utf8: Charset.convert(bytes, from: label), encoding: label, overruled: false)
            }
        }
        let decoded = Charset.decode(bytes, contentType: contentType, kind: .xml)
        return Decoded(utf8: decoded.utf8, encoding: decoded.encoding, overruled: decoded.overruled)
    }
}
