import Foundation
import Logging
import Testing

@testable import NewswirePostgres

/// The test database: `scripts/with-postgres` starts a throwaway server and sets it
/// (`scripts/test` runs the whole suite under it).
let testDatabaseURL = ProcessInfo.processInfo.environment["NEWSWIRE_TEST_POSTGRES"]

/// Every PostgreSQL test, one at a time: the reconnection tests restart the server and cut
/// connections, which must not land in the middle of another test.
@Suite(
    .serialized,
    .enabled(
        if: testDatabaseURL != nil,
        "NEWSWIRE_TEST_POSTGRES is not set: run these tests under scripts/with-postgres (scripts/test does)"
    )
)
struct PostgresTests {}

/// A schema of its own for one test, dropped at the end.
final class TestSchema: Sendable {
    let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    let url = testDatabaseURL ?? ""

    /// A store in this schema; several stores of one schema are several workers.
    func open(
        retry: PostgresRetryPolicy = PostgresRetryPolicy(initialDelay: 0.05, maximumDelay: 1, giveUpAfter: 60),
        logger: Logger = Logger(label: "newswire.test", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws -> PostgresStateStore {
        try PostgresStateStore(url: self.url, schema: self.name, retry: retry, logger: logger)
    }

    /// Runs `sql` on a connection of its own (in this schema).
    @discardableResult
    func execute(_ sql: String) throws -> [[String?]] {
        let connection = try PostgresConnection(url: self.url, roundTrips: RoundTripCounter())
        try connection.executeScript("SET search_path TO \(self.name)")
        return try connection.executeScript(sql).rows
    }

    deinit {
        guard let connection = try? PostgresConnection(url: self.url, roundTrips: RoundTripCounter()) else { return }
        _ = try? connection.executeScript("DROP SCHEMA IF EXISTS \(self.name) CASCADE")
    }
}
