public import struct Foundation.Date
public import typealias Foundation.TimeInterval

/// The one rule for dates that lie ahead of the clock: a date more than a day in the future
/// (beyond any clock skew or time-zone slip) is not trusted and left out.
///
/// Feed readers, the page metadata and the article assembler all ask this rule, with the
/// run's clock (or the document's `fetchedAt`) as `now`.
public struct FutureDateRule: Sendable, Hashable {
    /// How far ahead of now a date may lie.
    public var tolerance: TimeInterval

    public init(tolerance: TimeInterval = 24 * 3600) {
        self.tolerance = tolerance
    }

    /// The rule every stage uses.
    public static let standard = FutureDateRule()

    /// Whether `date` is acceptable at `now`.
    public func accepts(_ date: Date, now: Date) -> Bool {
        date.timeIntervalSince(now) <= self.tolerance
    }

    /// `date` when it is acceptable at `now`, else `nil`.
    public func trusted(_ date: Date?, now: Date) -> Date? {
        guard let date, self.accepts(date, now: now) else { return nil }
        return date
    }
}
