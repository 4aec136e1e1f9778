internal import CLibXML2

/// Reads saved pages from disk, plain or gzip-compressed.
///
/// Uses libxml2's own input layer, which inflates gzip files transparently
/// (xmlParserInputBufferCreateFilename(3), built with zlib), so no second zlib
/// binding is needed. Thread-safe: each call owns its buffer.
public enum PageFile {
    /// The bytes of the file at `path`, inflated if it is gzip-compressed.
    ///
    /// - Throws: ``PageFileError`` when the file cannot be opened or read.
    public static func read(_ path: String) throws -> [UInt8] {
        guard let input = xmlParserInputBufferCreateFilename(path, XML_CHAR_ENCODING_NONE) else {
            throw PageFileError(path: path, message: "cannot open the file")
        }
        defer { xmlFreeParserInputBuffer(input) }
        while true {
            let read = xmlParserInputBufferRead(input, 1 << 18)
            if read < 0 { throw PageFileError(path: path, message: "cannot read the file") }
            if read == 0 { break }
        }
        guard let buffer = input.pointee.buffer else { return [] }
        let count = xmlBufUse(buffer)
        guard count > 0, let content = xmlBufContent(buffer) else { return [] }
        return Array(UnsafeBufferPointer(start: content, count: count))
    }
}

/// A saved page that could not be read.
public struct PageFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String

    public var description: String { "\(self.message): \(self.path)" }
}

/// libxml2's bare HTML parser, for benchmarks that compare against the extractor.
package enum BareHTMLParser {
    /// Parses UTF-8 `bytes` with htmlReadMemory and frees the tree; returns whether a tree was built.
    package static func parseAndFree(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty, bytes.count < Int(Int32.max) else { return false }
        let options =
            HTML_PARSE_NONET.rawValue | HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue
            | HTML_PARSE_NOWARNING.rawValue
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                htmlReadMemory($0, Int32(buffer.count), nil, "UTF-8", Int32(bitPattern: options))
            }
        }
        guard let document else { return false }
        xmlFreeDoc(document)
        return true
    }
}
