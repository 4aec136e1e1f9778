/// Generated hostile documents for tests: expansion bombs, deep nesting, broken encodings,
/// oversized feeds and pages that cost a lot of CPU. All text is invented.
public enum HostileContent {
    // MARK: XML

    /// An RSS feed whose DOCTYPE declares the classic nested "billion laughs" entities.
    public static func billionLaughsFeed(link: String) -> [UInt8] {
        var doctype = "<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n"
        for level in 1...9 {
            let previous = level == 1 ? "lol" : "lol\(level - 1)"
            doctype += "<!ENTITY lol\(level) \"" + String(repeating: "&\(previous);", count: 10) + "\">\n"
        }
        doctype += "]>\n"
        return Array(
            (doctype
                + "<rss version=\"2.0\"><channel><title>Laughs</title>"
                + "<item><title>Lol</title><link>\(link)</link><description>&lol9;</description></item>"
                + "</channel></rss>\n").utf8
        )
    }

    /// An RSS feed with one internal entity of `entityBytes` plain-text bytes referenced
    /// `references` times in an item: small on the wire, huge once expanded.
    public static func quadraticBlowupFeed(entityBytes: Int = 4096, references: Int = 100_000, link: String) -> [UInt8]
    {
        var text = "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY a \""
        text += String(repeating: "x", count: entityBytes)
        text += "\">]>\n<rss version=\"2.0\"><channel><title>Blow-up</title>"
        text += "<item><title>Quadratic</title><link>\(link)</link><description>"
        text += String(repeating: "&a;", count: references)
        text += "</description></item></channel></rss>\n"
        return Array(text.utf8)
    }

    /// An RSS feed of `count` items, item `n` linking to `link(n)`.
    public static func largeFeed(items count: Int, link: (Int) -> String) -> [UInt8] {
        var text = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>Many</title>\n"
        text.reserveCapacity(count * 120)
        for index in 0..<count {
            text += "<item><title>Item \(index)</title><link>\(link(index))</link><guid>item-\(index)</guid></item>\n"
        }
        text += "</channel></rss>\n"
        return Array(text.utf8)
    }

    /// A UTF-8 RSS feed (no charset declared anywhere) with real multi-byte text and a
    /// few invalid byte sequences in one item.
    public static func mostlyUTF8Feed(links: [String]) -> [UInt8] {
        var bytes = Array("<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>Café Ñandú</title>\n".utf8)
        for (index, link) in links.enumerated() {
            bytes += Array("<item><title>Crème brûlée n° \(index) “fresh”</title><link>\(link)</link>".utf8)
            if index == 0 {
                bytes += Array("<description>Broken ".utf8) + [0xFF, 0xC3, 0x28] + Array(" bytes</description>".utf8)
            }
            bytes += Array("</item>\n".utf8)
        }
        return bytes + Array("</channel></rss>\n".utf8)
    }

    // MARK: HTML

    /// An article page with `depth` nested `<div>`s around its text.
    public static func deeplyNestedPage(depth: Int, text: String) -> [UInt8] {
        let open = String(repeating: "<div>", count: depth)
        let close = String(repeating: "</div>", count: depth)
        return Array(
            ("<!DOCTYPE html><html><head><title>Deep</title></head><body><article>"
                + open + "<p>\(text)</p>" + close + "</article></body></html>").utf8
        )
    }

    /// About `bytes` of short paragraphs of capitalised invented words: costly for an
    /// entity tagger, which sees a name in nearly every word.
    public static func capitalisedParagraphsPage(bytes: Int) -> [UInt8] {
        let words = [
            "Arvel", "Brisk", "Corran", "Delvy", "Esk", "Fennick", "Gorse", "Halvard", "Isbet", "Jorvale",
            "Kestry", "Lumen", "Morrow", "Nettle", "Orrin", "Pellam", "Quill", "Rostov", "Selby", "Tamsin",
        ]
        var html = "<!DOCTYPE html><html><head><title>Names</title></head><body><article>\n"
        html.reserveCapacity(bytes + 1024)
        var index = 0
        while html.utf8.count < bytes {
            let a = words[index % words.count]
            let b = words[(index / 3 + 7) % words.count]
            let c = words[(index / 7 + 3) % words.count]
            html += "<p>\(a) \(b) Of \(c) Met \(b) \(a).</p>\n"
            index += 1
        }
        html += "</article></body></html>\n"
        return Array(html.utf8)
    }

    /// A plain article page with `paragraphs` paragraphs of invented news text.
    public static func articlePage(title: String, paragraphs: Int = 4) -> [UInt8] {
        var html = "<!DOCTYPE html><html lang=\"en\"><head><title>\(title)</title></head><body><article>"
        html += "<h1>\(title)</h1>"
        for index in 0..<paragraphs {
            html +=
                "<p>The harbour council of Velmora met on day \(index) to discuss the new ferry timetable, "
                + "and members agreed that the evening crossings would run until the autumn storms begin.</p>"
        }
        return Array((html + "</article></body></html>").utf8)
    }

    // MARK: gzip

    /// A gzip member holding `data` in stored (uncompressed) deflate blocks, with its CRC.
    public static func gzipStored(_ data: [UInt8]) -> [UInt8] {
        var output = Self.gzipHeader
        var offset = 0
        repeat {
            let length = min(65_535, data.count - offset)
            let final: UInt8 = offset + length == data.count ? 1 : 0
            output.append(final)  // BFINAL, BTYPE=00, padding to the byte boundary.
            output += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            output += data[offset..<(offset + length)]
            offset += length
        } while offset < data.count
        return output + Self.littleEndian(Self.crc32(data)) + Self.littleEndian(UInt32(truncatingIfNeeded: data.count))
    }

    /// A gzip member of one fixed-Huffman block that inflates to `1 + 258 × matches` zero
    /// bytes (about 160 times its own size), without its trailer: a decompression bomb.
    public static func gzipBomb(matches: Int) -> [UInt8] {
        var bits = BitWriter()
        bits.write(1, count: 1)  // BFINAL
        bits.write(1, count: 2)  // BTYPE=01, fixed Huffman codes
        bits.writeCode(0x30, length: 8)  // literal 0
        for _ in 0..<matches {
            bits.writeCode(0xC5, length: 8)  // length code 285: 258 bytes
            bits.writeCode(0, length: 5)  // distance code 0: 1 byte back
        }
        bits.writeCode(0, length: 7)  // end of block
        return Self.gzipHeader + bits.finished
    }

    private static let gzipHeader: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xFF]

    private static func littleEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)]
    }

    private static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// Deflate's bit order: values least-significant bit first, Huffman codes most-significant first.
    private struct BitWriter {
        var bytes: [UInt8] = []
        private var current: UInt32 = 0
        private var used = 0

        mutating func write(_ value: UInt32, count: Int) {
            for bit in 0..<count { self.push((value >> UInt32(bit)) & 1) }
        }

        mutating func writeCode(_ code: UInt32, length: Int) {
            for bit in stride(from: length - 1, through: 0, by: -1) { self.push((code >> UInt32(bit)) & 1) }
        }

        private mutating func push(_ bit: UInt32) {
            self.current |= bit << UInt32(self.used)
            self.used += 1
            if self.used == 8 {
                self.bytes.append(UInt8(self.current))
                self.current = 0
                self.used = 0
            }
        }

        var finished: [UInt8] { self.used > 0 ? self.bytes + [UInt8(self.current)] : self.bytes }
    }
}
