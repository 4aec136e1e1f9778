import Foundation
import NewswireCore
import Testing

@Suite struct RFC3339Tests {
    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00Z"),
        (951_782_400.0, "2000-02-29T00:00:00Z"),
        (1_800_000_000.9, "2027-01-15T08:00:00Z"),
        (-86_400.0, "1969-12-31T00:00:00Z"),
    ])
    func formatsUTCWithWholeSeconds(seconds: Double, expected: String) {
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test func civilTimeArithmeticAgreesWithFormatting() {
        let seconds = RFC3339.epochSeconds(year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 58)
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: Double(seconds))) == "2024-02-29T23:59:58Z")
    }
}
