import NewswireCore
import Testing

@Suite struct DateParserTests {
    private func parsed(_ text: String) -> String? {
        DateParser.parse(text).map(RFC3339.string(from:))
    }

    @Test(
        arguments: [
            ("Tue, 10 Jun 2003 04:00:00 GMT", "2003-06-10T04:00:00Z"),
            ("Tue, 10 Jun 2003 04:00:00 +0000", "2003-06-10T04:00:00Z"),
            ("Tue, 10 Jun 2003 04:00:00 -0400", "2003-06-10T08:00:00Z"),
            ("Tue, 10 Jun 2003 04:00:00 +05:30", "2003-06-09T22:30:00Z"),
            ("Tue, 10 Jun 2003 04:00:00 UT", "2003-06-10T04:00:00Z"),
            ("Tue, 10 Jun 2003 04:00:00 Z", "2003-06-10T04:00:00Z"),
            ("Tue, 10 Jun 2003 04:00:00 EST", "2003-06-10T09:00:00Z"),
            ("Tue, 10 Jun 2003 04:00:00 EDT", "2003-06-10T08:00:00Z"),
            ("Tue, 10 Jun 2003 04:00:00 PDT", "2003-06-10T11:00:00Z"),
            ("Tue, 10 Jun 2003 04:00:00 CEST", "2003-06-10T02:00:00Z"),
            ("Tue, 10 Jun 2003 04:00:00 A", "2003-06-10T05:00:00Z"),
            ("Tue, 10 Jun 2003 04:00:00 N", "2003-06-10T03:00:00Z"),
            ("Tue, 10 Jun 2003 04:00 GMT", "2003-06-10T04:00:00Z"),
            ("10 Jun 2003 04:00:00 GMT", "2003-06-10T04:00:00Z"),
            ("Sun, 1 Jun 2003 04:00:00 GMT", "2003-06-01T04:00:00Z"),
            ("Tue, 10 Jun 03 04:00:00 GMT", "2003-06-10T04:00:00Z"),
            ("Tuesday, 10 June 2003 04:00:00 GMT", "2003-06-10T04:00:00Z"),
            ("tue, 10 jun 2003 04:00:00 gmt", "2003-06-10T04:00:00Z"),
            ("Tue,10 Jun 2003 04:00:00 GMT", "2003-06-10T04:00:00Z"),
            ("  Tue, 10 Jun 2003 04:00:00 GMT \n", "2003-06-10T04:00:00Z"),
            ("Tue, 10 Jun 2003 04:00:00", "2003-06-10T04:00:00Z"),
            ("Wed, 31 Dec 2003 23:30:00 -0100", "2004-01-01T00:30:00Z"),
            ("Sun, 29 Feb 2004 12:00:00 GMT", "2004-02-29T12:00:00Z"),
        ]
    )
    func readsRFC822(text: String, expected: String) {
        #expect(self.parsed(text) == expected)
    }

    @Test(
        arguments: [
            ("2003-12-13T18:30:02Z", "2003-12-13T18:30:02Z"),
            ("2003-12-13T18:30:02.25Z", "2003-12-13T18:30:02Z"),
            ("2003-12-13T18:30:02+01:00", "2003-12-13T17:30:02Z"),
            ("2003-12-13T18:30:02-0800", "2003-12-14T02:30:02Z"),
            ("2003-12-13t18:30:02z", "2003-12-13T18:30:02Z"),
            ("2003-12-13 18:30:02Z", "2003-12-13T18:30:02Z"),
            ("2003-12-13T18:30Z", "2003-12-13T18:30:00Z"),
            ("2003-12-13", "2003-12-13T00:00:00Z"),
            ("20031213T183002Z", "2003-12-13T18:30:02Z"),
        ]
    )
    func readsISO8601(text: String, expected: String) {
        #expect(self.parsed(text) == expected)
    }

    @Test(arguments: ["", "not a date", "Tue, 31 Feb 2003 04:00:00 GMT", "2003-13-01", "Tue, 10 Foo 2003 04:00:00 GMT"])
    func rejectsWhatItCannotRead(text: String) {
        #expect(DateParser.parse(text) == nil)
    }
}
