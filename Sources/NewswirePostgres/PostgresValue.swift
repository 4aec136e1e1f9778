/// One statement parameter, sent in text format (the server parses it by the type the
/// statement casts it to, `$1::bigint[]`) or binary format (`bytea` and `bytea[]`, which
/// would double in size as hex text).
///
/// Arrays are sent whole and unpacked with `unnest`, so a commit of any size is one statement.
enum PostgresValue {
    case text(String)
    case binary([UInt8])
    case null

    static func int(_ value: Int64) -> PostgresValue { .text(String(value)) }

    static func double(_ value: Double) -> PostgresValue { .text(Self.literal(value)) }

    /// A `text[]` array literal (https://www.postgresql.org/docs/15/arrays.html#ARRAYS-IO):
    /// every element double-quoted with `"` and `\` escaped, `NULL` unquoted.
    static func textArray(_ values: some Sequence<String?>) -> PostgresValue {
        var literal = "{"
        var first = true
        for value in values {
            if !first { literal += "," }
            first = false
            guard let value else {
                literal += "NULL"
                continue
            }
            literal += "\""
            for character in value.unicodeScalars {
                if character == "\"" || character == "\\" { literal += "\\" }
                literal.unicodeScalars.append(character)
            }
            literal += "\""
        }
        return .text(literal + "}")
    }

    static func textArray(_ values: some Sequence<String>) -> PostgresValue {
        self.textArray(values.map { Optional($0) })
    }

    static func int64Array(_ values: some Sequence<Int64?>) -> PostgresValue {
        .text("{" + values.map { $0.map { String($0) } ?? "NULL" }.joined(separator: ",") + "}")
    }

    static func doubleArray(_ values: some Sequence<Double?>) -> PostgresValue {
        .text("{" + values.map { $0.map(Self.literal) ?? "NULL" }.joined(separator: ",") + "}")
    }

    static func boolArray(_ values: some Sequence<Bool>) -> PostgresValue {
        .text("{" + values.map { $0 ? "t" : "f" }.joined(separator: ",") + "}")
    }

    /// A `bytea[]` in the binary array format of `array_send`
    /// (src/backend/utils/adt/arrayfuncs.c): dimensions 1, no nulls, element type 17
    /// (`bytea`), the length, lower bound 1, then each element as a 32-bit length and its bytes.
    static func byteaArray(_ values: [[UInt8]]) -> PostgresValue {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20 + values.reduce(0) { $0 + 4 + $1.count })
        func append(_ value: Int32) {
            withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
        }
        append(1)
        append(0)
        append(17)
        append(Int32(values.count))
        append(1)
        for value in values {
            append(Int32(value.count))
            bytes.append(contentsOf: value)
        }
        return .binary(bytes)
    }

    /// A `float8` literal the server parses back to the same value: Swift prints the shortest
    /// representation that round-trips, and PostgreSQL reads it with `strtod`.
    private static func literal(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return "\(value)"
    }
}

/// The rows of a result, copied out of libpq in text format.
struct PostgresRows {
    /// Each row's values; nil is SQL NULL.
    var rows: [[String?]]
    /// Rows the command affected (`PQcmdTuples`), 0 when it does not say.
    var affected: Int

    /// The first column of the first row.
    var scalar: String? { self.rows.first?.first ?? nil }
}

/// Decoders for the text format of the types we store.
enum PostgresText {
    static func int64(_ text: String?) -> Int64? { text.flatMap { Int64($0) } }

    static func double(_ text: String?) -> Double? {
        guard let text else { return nil }
        switch text {
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return Double(text)
        }
    }

    static func bool(_ text: String?) -> Bool? { text.map { $0 == "t" } }

    /// `bytea` in the hex output format (`\x0102ff`), the default since PostgreSQL 9.0.
    static func bytes(_ text: String?) -> [UInt8]? {
        guard let text else { return nil }
        var utf8 = Substring(text).utf8
        guard utf8.starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "x")]) else { return nil }
        utf8 = utf8.dropFirst(2)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var high: UInt8?
        for character in utf8 {
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return high == nil ? bytes : nil
    }
}
