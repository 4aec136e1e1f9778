public import struct Foundation.Date

/// The `Retry-After` response header (RFC 9110 §10.2.3): how long a client should wait.
public enum RetryAfter {
    /// Seconds to wait from `now`, read from delay-seconds (`120`) or an HTTP-date;
    /// `nil` when `value` is neither. A date in the past gives 0.
    public static func seconds(_ value: String, now: Date = Date()) -> Double? {
        let trimmed = value.trimmingASCIIWhitespace()
        if !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // Digits only; an absurd count is capped at a day rather than overflowing.
            return trimmed.utf8.count > 6 ? 86_400 : min(Double(trimmed) ?? 86_400, 86_400)
        }
        guard trimmed.contains(" "), let date = DateParser.parse(trimmed) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}

extension FetchedDocument {
    /// The seconds the server asked to wait before the next request, from `Retry-After`.
    public var retryAfter: Double? {
        self.headers["Retry-After"].flatMap { RetryAfter.seconds($0, now: self.fetchedAt) }
    }
}
