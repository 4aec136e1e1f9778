import Foundation

/// When a rotated output file is closed: the pipeline's `output_rotate: {bytes: N, hours: H}`.
///
/// A file is closed at the first commit where it holds at least ``bytes`` bytes, or where
/// the UTC time window of ``hours`` hours it was opened in has ended (windows are counted
/// from the Unix epoch, so `hours: 1` closes files on the hour and `hours: 24` at midnight
/// UTC). Either limit may be left out, not both.
public struct RotationPolicy: Sendable, Hashable {
    /// The keys of the `output_rotate` mapping.
    public static let keys = ["bytes", "hours"]

    /// Close a file once it holds this many bytes (checked at commit, so a file ends at a
    /// committed record boundary and may pass the limit by what one commit added).
    public var bytes: Int?
    /// Close a file once the `hours`-long UTC window it was opened in has ended.
    public var hours: Double?

    /// A value of `output_rotate` that cannot be used.
    public struct Error: Swift.Error, Sendable, Hashable, CustomStringConvertible {
        /// The key at fault (`bytes`, `hours`), or `nil` for the mapping as a whole.
        public var key: String?
        public var message: String

        public var description: String { self.message }
    }

    /// A policy from numbers.
    /// - Throws: ``Error`` when both are `nil`, `bytes` is below 1, or `hours` is not a
    ///   positive number of at most a year.
    public init(bytes: Int?, hours: Double?) throws {
        if bytes == nil && hours == nil {
            throw Error(key: nil, message: "'output_rotate' needs 'bytes', 'hours' or both")
        }
        if let bytes, bytes < 1 {
            throw Error(key: "bytes", message: "'bytes' must be at least 1, not \(bytes)")
        }
        if let hours, !(hours > 0 && hours <= 24 * 366) {
            throw Error(key: "hours", message: "'hours' must be a number above 0 and at most 8784, not \(hours)")
        }
        self.bytes = bytes
        self.hours = hours
    }

    /// A policy from the scalar texts of the `output_rotate` mapping, keyed by name.
    ///
    /// `bytes` is a whole number, optionally with a unit: `KB`, `MB`, `GB` (powers of 1,000)
    /// or `KiB`, `MiB`, `GiB` (powers of 1,024), as in `64MB`. `hours` is a number (`0.5`,
    /// `24`).
    /// - Throws: ``Error`` naming the key for an unknown key or a bad value.
    public init(values: [String: String]) throws {
        for key in values.keys.sorted() where !Self.keys.contains(key) {
            throw Error(key: key, message: "unknown key '\(key)' in 'output_rotate' (expected one of: bytes, hours)")
        }
        var bytes: Int?
        if let text = values["bytes"] {
            guard let value = Self.byteCount(text) else {
                throw Error(key: "bytes", message: "'bytes' must be a size such as 100000000 or 64MB, not '\(text)'")
            }
            bytes = value
        }
        var hours: Double?
        if let text = values["hours"] {
            guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
                throw Error(key: "hours", message: "'hours' must be a number such as 1 or 0.5, not '\(text)'")
            }
            hours = value
        }
        try self.init(bytes: bytes, hours: hours)
    }

    /// The length of one time window in seconds, when ``hours`` is set.
    var windowSeconds: Double? { self.hours.map { $0 * 3600 } }

    /// The end of the window that `opened` falls in.
    func windowEnd(opened: Date) -> Date? {
        guard let window = self.windowSeconds else { return nil }
        let index = (opened.timeIntervalSince1970 / window).rounded(.down)
        return Date(timeIntervalSince1970: (index + 1) * window)
    }

    /// Whether a file opened at `opened` and holding `size` bytes is due to be closed at `now`.
    func isDue(size: Int, opened: Date, now: Date) -> Bool {
        if let bytes = self.bytes, size >= bytes { return true }
        if let end = self.windowEnd(opened: opened), now >= end { return true }
        return false
    }

    /// A size written as a whole number with an optional unit (`64MB`, `1GiB`, `500000`).
    public static func byteCount(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        let multipliers: [String: Int] = [
            "": 1, "B": 1, "KB": 1000, "MB": 1_000_000, "GB": 1_000_000_000,
            "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30,
        ]
        guard let count = Int(digits), let multiplier = multipliers[unit] else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }
}
