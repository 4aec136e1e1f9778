import NewswireCore

public import struct Foundation.Date

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `WARC-Date` values (WARC 1.1 §5.4): W3C-DTF in UTC, `YYYY-MM-DDThh:mm:ssZ` with an optional
/// fraction of a second (1.1), or shorter forms down to the year.
public enum WARCDate {
    /// Parses a `WARC-Date`; nil when it is not W3C-DTF in UTC.
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes -> Date? in
            var index = 0
            func number(_ digits: Int) -> Int? {
                guard index + digits <= bytes.count else { return nil }
                var value = 0
                for _ in 0..<digits {
                    let c = bytes[index]
                    guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                    value = value * 10 + Int(c - UInt8(ascii: "0"))
                    index += 1
                }
                return value
            }
            func expect(_ char: Character) -> Bool {
                guard index < bytes.count, bytes[index] == char.asciiValue else { return false }
                index += 1
                return true
            }
            guard let year = number(4) else { return nil }
            var month = 1
            var day = 1
            var hour = 0
            var minute = 0
            var second = 0
            var fraction = 0.0
            if expect("-") {
                guard let m = number(2) else { return nil }
                month = m
                if expect("-") {
                    guard let d = number(2) else { return nil }
                    day = d
                    if expect("T") {
                        guard let h = number(2), expect(":"), let mi = number(2) else { return nil }
                        hour = h
                        minute = mi
                        if expect(":") {
                            guard let s = number(2) else { return nil }
                            second = s
                            if expect(".") {
                                var scale = 0.1
                                while index < bytes.count, bytes[index] >= UInt8(ascii: "0"),
                                    bytes[index] <= UInt8(ascii: "9")
                                {
                                    fraction += Double(bytes[index] - UInt8(ascii: "0")) * scale
                                    scale /= 10
                                    index += 1
                                }
                            }
                        }
                        guard expect("Z") else { return nil }
                    }
                }
            }
            guard index == bytes.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
                second <= 60
            else { return nil }
            let seconds = RFC3339.epochSeconds(
                year: year,
                month: month,
                day: day,
                hour: hour,
                minute: minute,
                second: min(second, 59)
            )
            return Date(timeIntervalSince1970: Double(seconds) + fraction)
        }
    }

    /// Formats `date` for `WARC-Date`: whole seconds, or microseconds when the date has a fraction.
    public static func string(from date: Date) -> String {
        let interval = date.timeIntervalSince1970
        let whole = interval.rounded(.down)
        var seconds = time_t(whole)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var text = pad(Int(parts.tm_year) + 1900, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-"
        text += pad(Int(parts.tm_mday), 2) + "T" + pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2)
        text += ":" + pad(Int(parts.tm_sec), 2)
        let micros = Int(((interval - whole) * 1_000_000).rounded())
        if micros > 0 && micros < 1_000_000 {
            text += "." + pad(micros, 6)
        }
        return text + "Z"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
