public import struct Foundation.Date

/// Parses the date forms found in feeds and pages into UTC instants.
///
/// Understands RFC 822/2822 (`Tue, 10 Jun 2003 04:00:00 GMT`, with named, military and
/// numeric zones) and ISO 8601 / RFC 3339 (`2003-06-10T04:00:00Z`, `2003-06-10`,
/// `20030610T040000+0200`). A string that cannot be read returns `nil`: a date is never
/// guessed into a wrong day. Stateless and thread-safe.
public enum DateParser {
    /// Parses `text` in any supported form.
    public static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingASCIIWhitespace()
        guard !trimmed.isEmpty else { return nil }
        let bytes = Array(trimmed.utf8)
        if let first = bytes.first, (48...57).contains(first), let date = self.parseISO8601(bytes) {
            return date
        }
        return self.parseRFC822(bytes) ?? self.parseISO8601(bytes)
    }

    // MARK: ISO 8601

    static func parseISO8601(_ b: [UInt8]) -> Date? {
        var scanner = ByteScanner(b)
        guard let year = scanner.digits(exactly: 4) else { return nil }
        let dashed = scanner.skip(UInt8(ascii: "-"))
        guard let month = scanner.digits(exactly: 2) else {
            return scanner.atEnd ? self.make(year, 1, 1, 0, 0, 0, 0) : nil
        }
        if dashed { _ = scanner.skip(UInt8(ascii: "-")) }
        let day = scanner.digits(exactly: 2) ?? 1
        var hour = 0
        var minute = 0
        var second = 0
        var offset = 0
        if scanner.skip(UInt8(ascii: "T")) || scanner.skip(UInt8(ascii: "t")) || scanner.skip(UInt8(ascii: " ")) {
            guard let h = scanner.digits(exactly: 2) else { return nil }
            hour = h
            _ = scanner.skip(UInt8(ascii: ":"))
            minute = scanner.digits(exactly: 2) ?? 0
            _ = scanner.skip(UInt8(ascii: ":"))
            second = scanner.digits(exactly: 2) ?? 0
            if scanner.skip(UInt8(ascii: ".")) || scanner.skip(UInt8(ascii: ",")) {
                _ = scanner.digits(atMost: 12)
            }
            scanner.skipSpaces()
            if let zone = scanner.numericZone() {
                offset = zone
            } else if scanner.skip(UInt8(ascii: "Z")) || scanner.skip(UInt8(ascii: "z")) {
                offset = 0
            } else if let named = scanner.word(), let zone = Self.zoneOffset(named) {
                offset = zone
            }
        }
        scanner.skipSpaces()
        guard scanner.atEnd else { return nil }
        return self.make(year, month, day, hour, minute, second, offset)
    }

    // MARK: RFC 822

    static func parseRFC822(_ b: [UInt8]) -> Date? {
        var scanner = ByteScanner(b)
        scanner.skipSpaces()
        // Optional day name, with or without a comma.
        if let word = scanner.peekWord(), Self.isDayName(word) {
            _ = scanner.word()
            _ = scanner.skip(UInt8(ascii: "."))
            _ = scanner.skip(UInt8(ascii: ","))
            scanner.skipSpaces()
        }
        var day: Int
        var month: Int
        if let d = scanner.digits(atMost: 2) {
            day = d
            scanner.skipSeparators()
            guard let name = scanner.word(), let m = Self.month(name) else { return nil }
            month = m
        } else if let name = scanner.word(), let m = Self.month(name) {
            // "Jun 10, 2003" form.
            month = m
            scanner.skipSeparators()
            guard let d = scanner.digits(atMost: 2) else { return nil }
            day = d
            _ = scanner.skip(UInt8(ascii: ","))
        } else {
            return nil
        }
        scanner.skipSeparators()
        guard var year = scanner.digits(atMost: 4) else { return nil }
        if year < 100 { year += year < 50 ? 2000 : 1900 }
        scanner.skipSpaces()
        var hour = 0
        var minute = 0
        var second = 0
        if let h = scanner.digits(atMost: 2) {
            hour = h
            guard scanner.skip(UInt8(ascii: ":")), let m = scanner.digits(atMost: 2) else { return nil }
            minute = m
            if scanner.skip(UInt8(ascii: ":")) { second = scanner.digits(atMost: 2) ?? 0 }
            if scanner.skip(UInt8(ascii: ".")) { _ = scanner.digits(atMost: 9) }
        }
        scanner.skipSpaces()
        var offset = 0
        if let zone = scanner.numericZone() {
            offset = zone
        } else if let name = scanner.word() {
            guard let zone = Self.zoneOffset(name) else { return nil }
            offset = zone
            scanner.skipSpaces()
            if let extra = scanner.numericZone() { offset += extra }
        }
        return self.make(year, month, day, hour, minute, second, offset)
    }

    private static func make(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, _ offset: Int) -> Date? {
        guard (1...12).contains(mo), (1...31).contains(d), (0...24).contains(h), (0...59).contains(mi),
            (0...60).contains(s), y >= 1000, y <= 9999
        else { return nil }
        guard d <= Self.daysIn(month: mo, year: y) else { return nil }
        let seconds = RFC3339.epochSeconds(year: y, month: mo, day: d, hour: h, minute: mi, second: min(s, 59))
        return Date(timeIntervalSince1970: Double(seconds - offset))
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Whether `name` starts with an English day name's three letters.
    private static func isDayName(_ name: String) -> Bool {
        guard let key = Self.threeLetterKey(name) else { return false }
        switch key {
        case "mon", "tue", "wed", "thu", "fri", "sat", "sun": return true
        default: return false
        }
    }

    /// The month number of an English month name or its three-letter abbreviation.
    private static func month(_ name: String) -> Int? {
        guard let key = Self.threeLetterKey(name) else { return nil }
        switch key {
        case "jan": return 1
        case "feb": return 2
        case "mar": return 3
        case "apr": return 4
        case "may": return 5
        case "jun": return 6
        case "jul": return 7
        case "aug": return 8
        case "sep": return 9
        case "oct": return 10
        case "nov": return 11
        case "dec": return 12
        default: return nil
        }
    }

    /// The first three letters of `name`, lower-cased (ASCII), without allocating.
    private static func threeLetterKey(_ name: String) -> String? {
        var bytes: (UInt8, UInt8, UInt8) = (0, 0, 0)
        var count = 0
        for byte in name.utf8 {
            let lower = byte >= 65 && byte <= 90 ? byte + 32 : byte
            switch count {
            case 0: bytes.0 = lower
            case 1: bytes.1 = lower
            case 2: bytes.2 = lower
            default: break
            }
            count += 1
            if count == 3 { break }
        }
        guard count == 3 else { return nil }
        return String(decoding: [bytes.0, bytes.1, bytes.2], as: UTF8.self)
    }

    private static let zoneHours: [String: Double] = [
        "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 1, "IST": 1, "WEST": 1,
        "CET": 1, "MET": 1, "CEST": 2, "MEST": 2, "EET": 2, "EEST": 3, "MSK": 3,
        "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
        "AST": -4, "ADT": -3, "NST": -3.5, "NDT": -2.5, "AKST": -9, "AKDT": -8, "HST": -10,
        "JST": 9, "KST": 9, "HKT": 8, "SGT": 8, "AEST": 10, "AEDT": 11, "ACST": 9.5, "AWST": 8,
        "NZST": 12, "NZDT": 13,
    ]

    /// Offset in seconds east of UTC for a named zone (RFC 822 names, common
    /// North American and European abbreviations, and military letters).
    static func zoneOffset(_ name: String) -> Int? {
        let key = name.uppercased()
        if let value = Self.zoneHours[key] { return Int(value * 3600) }
        if key.count == 1, let scalar = key.unicodeScalars.first, scalar.value >= 65, scalar.value <= 90,
            scalar != "J"
        {
            // RFC 822 military zones: A-I = -1..-9, K-M = -10..-12, N-Y = +1..+12.
            let v = Int(scalar.value)
            if v <= 73 { return -(v - 64) * 3600 }
            if v <= 77 { return -(v - 65) * 3600 }
            return (v - 77) * 3600
        }
        return nil
    }
}

private struct ByteScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { self.index >= self.bytes.count }

    mutating func skip(_ byte: UInt8) -> Bool {
        guard self.index < self.bytes.count, self.bytes[self.index] == byte else { return false }
        self.index += 1
        return true
    }

    mutating func skipSpaces() {
        while self.index < self.bytes.count, self.bytes[self.index] == 32 || self.bytes[self.index] == 9 {
            self.index += 1
        }
    }

    mutating func skipSeparators() {
        while self.index < self.bytes.count,
            [32, 9, UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: ",")].contains(self.bytes[self.index])
        {
            self.index += 1
        }
    }

    mutating func digits(exactly count: Int) -> Int? {
        guard self.index + count <= self.bytes.count else { return nil }
        var value = 0
        for offset in 0..<count {
            let byte = self.bytes[self.index + offset]
            guard byte >= 48, byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        self.index += count
        return value
    }

    mutating func digits(atMost count: Int) -> Int? {
        var value = 0
        var taken = 0
        while taken < count, self.index < self.bytes.count, self.bytes[self.index] >= 48, self.bytes[self.index] <= 57 {
            value = value * 10 + Int(self.bytes[self.index] - 48)
            self.index += 1
            taken += 1
        }
        return taken == 0 ? nil : value
    }

    /// `+hh:mm`, `+hhmm`, `-hh`: seconds east of UTC.
    mutating func numericZone() -> Int? {
        guard self.index < self.bytes.count else { return nil }
        let sign: Int
        switch self.bytes[self.index] {
        case UInt8(ascii: "+"): sign = 1
        case UInt8(ascii: "-"): sign = -1
        default: return nil
        }
        let start = self.index
        self.index += 1
        guard let hours = self.digits(exactly: 2) else {
            self.index = start
            return nil
        }
        _ = self.skip(UInt8(ascii: ":"))
        let minutes = self.digits(exactly: 2) ?? 0
        return sign * (hours * 3600 + minutes * 60)
    }

    func peekWord() -> String? {
        var copy = self
        return copy.word()
    }

    mutating func word() -> String? {
        let start = self.index
        while self.index < self.bytes.count,
            (65...90).contains(self.bytes[self.index]) || (97...122).contains(self.bytes[self.index])
        {
            self.index += 1
        }
        guard self.index > start else { return nil }
        return String(decoding: self.bytes[start..<self.index], as: UTF8.self)
    }
}

extension String {
    /// The string without leading and trailing ASCII white space.
    package func trimmingASCIIWhitespace() -> String {
        let utf8 = self.utf8
        var start = utf8.startIndex
        var end = utf8.endIndex
        func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 || b == 12 }
        while start < end, isSpace(utf8[start]) { start = utf8.index(after: start) }
        while end > start, isSpace(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
        return String(self[start..<end])
    }
}
