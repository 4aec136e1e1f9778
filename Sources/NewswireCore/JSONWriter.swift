/// Writes compact JSON with keys in the order they are written.
///
/// The records of the stream are written field by field in a fixed order, so the
/// same input always gives byte-identical lines. Values that are `nil` are left out,
/// as DESIGN.md asks ("absent values are omitted, never invented").
///
/// Not thread-safe: a writer belongs to the one caller that fills it.
public struct JSONWriter: Sendable {
    /// The UTF-8 bytes written so far.
    public private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = []

    public init() {
        self.bytes.reserveCapacity(1024)
    }

    /// The output as a `String`.
    public var string: String { String(decoding: self.bytes, as: UTF8.self) }

    public mutating func beginObject() {
        self.separate()
        self.bytes.append(UInt8(ascii: "{"))
        self.needsComma.append(false)
    }

    public mutating func endObject() {
        self.needsComma.removeLast()
        self.bytes.append(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        self.separate()
        self.bytes.append(UInt8(ascii: "["))
        self.needsComma.append(false)
    }

    public mutating func endArray() {
        self.needsComma.removeLast()
        self.bytes.append(UInt8(ascii: "]"))
    }

    /// Writes a key; the next value written belongs to it.
    public mutating func key(_ name: String) {
        self.separate()
        self.appendQuoted(name)
        self.bytes.append(UInt8(ascii: ":"))
        // The value that follows must not add a comma of its own.
        if !self.needsComma.isEmpty { self.needsComma[self.needsComma.count - 1] = false }
    }

    public mutating func value(_ string: String) {
        self.separate()
        self.appendQuoted(string)
    }

    public mutating func value(_ number: Int) {
        self.separate()
        self.bytes.append(contentsOf: String(number).utf8)
    }

    public mutating func value(_ number: Double) {
        self.separate()
        if number.isFinite {
            self.bytes.append(contentsOf: String(number).utf8)
        } else {
            self.bytes.append(contentsOf: "null".utf8)
        }
    }

    public mutating func value(_ flag: Bool) {
        self.separate()
        self.bytes.append(contentsOf: (flag ? "true" : "false").utf8)
    }

    public mutating func null() {
        self.separate()
        self.bytes.append(contentsOf: "null".utf8)
    }

    /// Writes `"name": value` when `value` is not `nil`.
    public mutating func field(_ name: String, _ value: String?) {
        guard let value else { return }
        self.key(name)
        self.value(value)
    }

    public mutating func field(_ name: String, _ value: Int?) {
        guard let value else { return }
        self.key(name)
        self.value(value)
    }

    public mutating func field(_ name: String, _ value: Bool?) {
        guard let value else { return }
        self.key(name)
        self.value(value)
    }

    /// Writes `"name": [strings]`; an empty list is left out unless `keepEmpty`.
    public mutating func field(_ name: String, _ values: [String], keepEmpty: Bool = false) {
        guard keepEmpty || !values.isEmpty else { return }
        self.key(name)
        self.beginArray()
        for value in values { self.value(value) }
        self.endArray()
    }

    /// Writes `"name": [{…}, …]` with one object per element, filled by `writeFields`;
    /// an empty list is left out.
    public mutating func field<Element>(
        _ name: String,
        objects elements: [Element],
        _ writeFields: (Element, inout JSONWriter) -> Void
    ) {
        guard !elements.isEmpty else { return }
        self.key(name)
        self.beginArray()
        for element in elements {
            self.beginObject()
            writeFields(element, &self)
            self.endObject()
        }
        self.endArray()
    }

    private mutating func separate() {
        guard !self.needsComma.isEmpty else { return }
        if self.needsComma[self.needsComma.count - 1] {
            self.bytes.append(UInt8(ascii: ","))
        } else {
            self.needsComma[self.needsComma.count - 1] = true
        }
    }

    private mutating func appendQuoted(_ string: String) {
        self.bytes.append(UInt8(ascii: "\""))
        var string = string
        // Runs of bytes that need no escape are copied whole: article texts are long.
        string.withUTF8 { utf8 in
            var start = 0
            var index = 0
            while index < utf8.count {
                // Eight bytes at a time while none needs an escape (see `needsEscape`).
                if index + 8 <= utf8.count,
                    !Self.needsEscape(ByteScan.load(utf8.baseAddress! + index))
                {
                    index += 8
                    continue
                }
                let byte = utf8[index]
                index += 1
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if index - 1 > start {
                    self.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<(index - 1)]))
                }
                switch byte {
                case UInt8(ascii: "\""): self.bytes.append(contentsOf: [92, 34])
                case UInt8(ascii: "\\"): self.bytes.append(contentsOf: [92, 92])
                case 0x0A: self.bytes.append(contentsOf: [92, UInt8(ascii: "n")])
                case 0x0D: self.bytes.append(contentsOf: [92, UInt8(ascii: "r")])
                case 0x09: self.bytes.append(contentsOf: [92, UInt8(ascii: "t")])
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    self.bytes.append(contentsOf: [
                        92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)],
                    ])
                }
                start = index
            }
            if utf8.count > start { self.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...])) }
        }
        self.bytes.append(UInt8(ascii: "\""))
    }

    /// Whether any of the eight bytes of `word` is a control character, a quote or a backslash.
    @inline(__always)
    static func needsEscape(_ word: UInt64) -> Bool {
        ByteScan.below(0x20, in: word) | ByteScan.equal(0x22, in: word) | ByteScan.equal(0x5C, in: word) != 0
    }
}
