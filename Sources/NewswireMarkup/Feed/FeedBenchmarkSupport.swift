internal import CLibXML2
import NewswireCore

/// Hooks for `scripts/bench-feeds`: the baseline it compares ``FeedParser`` against.
package enum FeedBenchmarkSupport {
    /// Walks `bytes` with a bare libxml2 `xmlTextReader` (same options as the feed parser,
    /// reading every node's type and, for text, its value pointer) and returns the number of
    /// nodes: the cost of libxml2 alone on the same input.
    package static func walkWithBareReader(_ bytes: [UInt8]) -> Int {
        guard !bytes.isEmpty, bytes.count < Int(Int32.max) else { return 0 }
        let options = Int32(
            XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
                | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_COMPACT.rawValue
        )
        var nodes = 0
        bytes.withUnsafeBufferPointer { pointer in
            pointer.withMemoryRebound(to: CChar.self) { chars in
                guard let reader = xmlReaderForMemory(chars.baseAddress, Int32(chars.count), nil, "UTF-8", options)
                else { return }
                defer { xmlFreeTextReader(reader) }
                while xmlTextReaderRead(reader) == 1 {
                    let type = xmlTextReaderNodeType(reader)
                    if type == 3 || type == 4, xmlTextReaderConstValue(reader) != nil { nodes += 1 }
                    nodes += 1
                }
            }
        }
        return nodes
    }
}

extension FeedBenchmarkSupport {
    /// The parser's stages one by one, for the benchmark's breakdown: charset decoding, the
    /// byte-level repair (run only on documents libxml2 reports errors in), and the reader
    /// pass with field extraction. Returns a checksum.
    package static func runStage(_ stage: Int, _ bytes: [UInt8]) -> Int {
        switch stage {
        case 0:
            return XMLCharset.decode(bytes, contentType: nil).utf8.count
        case 1:
            return XMLRepair(bytes).bytes.count
        default:
            var reader = FeedXMLReader(baseURL: "https://example.com/feed")
            reader.read(bytes, stopAtFirstError: true)
            return reader.feed.entries.count
        }
    }
}
