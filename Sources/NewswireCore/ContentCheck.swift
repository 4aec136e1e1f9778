/// Decides, before extraction, whether a fetched page can be an article at all: from its
/// `Content-Type` and its first bytes.
///
/// HTML, XHTML and text that looks like markup pass. Audio, video, images, PDF, archives,
/// fonts and other binaries do not: they become `unsupported_content` error records rather
/// than articles of garbage text. A label is not trusted alone: a binary served as
/// `text/html` is caught by its bytes, and markup served as `application/octet-stream` or
/// with no type passes by its bytes.
public enum ContentCheck {
    /// `nil` when `document` may hold an article page, else why not (for the error message).
    public static func unsupportedReason(_ document: FetchedDocument) -> String? {
        let type = Self.mediaType(document.contentType)
        if let signature = Self.binarySignature(document.body) {
            return "not an HTML page: \(signature)" + (type.map { " served as \($0)" } ?? "")
        }
        if let type {
            let family = type.prefix { $0 != "/" }
            if ["audio", "video", "image", "font", "model"].contains(String(family)) {
                return "not an HTML page: \(type)"
            }
            if Self.binaryTypes.contains(type) { return "not an HTML page: \(type)" }
        }
        if Self.looksBinary(document.body) {
            return "not an HTML page: binary content" + (type.map { " served as \($0)" } ?? "")
        }
        return nil
    }

    /// The media type of a `Content-Type` value, lower-cased, without parameters.
    public static func mediaType(_ contentType: String?) -> String? {
        guard let contentType else { return nil }
        let type = String(contentType.prefix { $0 != ";" }).trimmingASCIIWhitespace().lowercased()
        return type.isEmpty ? nil : type
    }

    /// Types that never carry an article page.
    static let binaryTypes: Set<String> = [
        "application/pdf", "application/zip", "application/gzip", "application/x-gzip", "application/x-tar",
        "application/x-7z-compressed", "application/x-rar-compressed", "application/vnd.rar", "application/msword",
        "application/vnd.ms-excel", "application/vnd.ms-powerpoint", "application/x-shockwave-flash",
        "application/ogg", "application/x-mpegurl", "application/vnd.apple.mpegurl", "application/wasm",
        "application/x-msdownload", "application/java-archive", "application/epub+zip",
    ]

    /// The name of a well-known binary format whose magic bytes open `body`.
    static func binarySignature(_ body: [UInt8]) -> String? {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            body.count >= offset + prefix.count && Array(body[offset..<offset + prefix.count]) == prefix
        }
        // A byte-order mark is text (and FF FE would pass for an MPEG frame sync).
        if starts([0xFF, 0xFE]) || starts([0xFE, 0xFF]) || starts([0xEF, 0xBB, 0xBF]) { return nil }
        if starts(Array("%PDF-".utf8)) { return "PDF" }
        if starts([0x89, 0x50, 0x4E, 0x47]) { return "PNG image" }
        if starts(Array("GIF8".utf8)) { return "GIF image" }
        if starts([0xFF, 0xD8, 0xFF]) { return "JPEG image" }
        if starts(Array("RIFF".utf8)) { return "RIFF media (WAV, AVI or WebP)" }
        if starts(Array("ID3".utf8)) || (body.count > 1 && body[0] == 0xFF && body[1] & 0xE0 == 0xE0) {
            return "MPEG audio"
        }
        if starts(Array("OggS".utf8)) { return "Ogg media" }
        if starts(Array("fLaC".utf8)) { return "FLAC audio" }
        if starts(Array("ftyp".utf8), at: 4) { return "MP4 media" }
        if starts([0x1A, 0x45, 0xDF, 0xA3]) { return "Matroska or WebM media" }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return "ZIP archive" }
        if starts([0x1F, 0x8B]) { return "gzip data" }
        if starts(Array("wOFF".utf8)) || starts(Array("wOF2".utf8)) { return "web font" }
        if starts([0x7F, 0x45, 0x4C, 0x46]) { return "executable" }
        return nil
    }

    /// Whether the first kilobytes hold control bytes that text never has (NUL and most
    /// C0 controls), outside UTF-16 (which has a byte-order mark or NULs in a pattern the
    /// charset decoder handles).
    static func looksBinary(_ body: [UInt8]) -> Bool {
        if body.count >= 2 && ((body[0] == 0xFF && body[1] == 0xFE) || (body[0] == 0xFE && body[1] == 0xFF)) {
            return false
        }
        let sample = body.prefix(4096)
        guard !sample.isEmpty else { return false }
        var controls = 0
        var zeros = 0
        for byte in sample {
            if byte == 0 {
                zeros += 1
            } else if byte < 0x09 || (byte > 0x0D && byte < 0x20 && byte != 0x1B) {
                controls += 1
            }
        }
        // UTF-16 without a mark: every other byte is zero, and the rest is text.
        if zeros * 5 > sample.count * 2 && zeros * 5 < sample.count * 3 { return false }
        return zeros > 0 || controls * 20 > sample.count
    }
}
