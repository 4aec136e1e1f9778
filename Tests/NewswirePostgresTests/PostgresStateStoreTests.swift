import Foundation
import Logging
import NewswireCore
import NewswireDedup
import NewswireState
import NewswireStateTestSupport
import Synchronization
import Testing

@testable import NewswirePostgres

extension PostgresTests {
    /// The store tests the SQLite store passes too (``StateStoreConformance``), then what only
    /// the PostgreSQL store does: migrations in a database, errors, round trips.
    @Suite struct StateStoreTests {
        @Test func savesAndLoadsSeenArticlesInFirstStoredOrder() throws {
            let schema = TestSchema()
            try StateStoreConformance.savesAndLoadsSeenArticlesInFirstStoredOrder(schema.open())
        }

        @Test func keepsTheLastValuesOfAnArticleCommittedTwice() throws {
            let schema = TestSchema()
            try StateStoreConformance.keepsTheLastValuesOfAnArticleCommittedTwice(schema.open())
        }

        @Test func evictsByTimeSeen() throws {
            let schema = TestSchema()
            try StateStoreConformance.evictsByTimeSeen(schema.open())
        }

        @Test func keepsFeedValidatorsAndSchedules() throws {
            let schema = TestSchema()
            try StateStoreConformance.keepsFeedValidatorsAndSchedules(schema.open())
        }

        @Test func storesOutboxRecordsInCommitOrder() throws {
            let schema = TestSchema()
            try StateStoreConformance.storesOutboxRecordsInCommitOrder(schema.open())
        }

        @Test func dropsTheFirstSeenRecordOfAnArticleStoredBefore() throws {
            let schema = TestSchema()
            try StateStoreConformance.dropsTheFirstSeenRecordOfAnArticleStoredBefore(schema.open())
        }

        @Test func readsSeenArticlesAfterAPosition() throws {
            let schema = TestSchema()
            try StateStoreConformance.readsSeenArticlesAfterAPosition(schema.open())
        }

        @Test func storesALargeCommit() throws {
            let schema = TestSchema()
            try StateStoreConformance.storesALargeCommit(schema.open())
        }

        @Test func deduplicatorRestartsFromAPopulatedDatabase() throws {
            let schema = TestSchema()
            try StateStoreConformance.deduplicatorRestartsFromAPopulatedStore { try schema.open() }
        }

        @Test func migratesOnceEvenWhenWorkersStartTogether() throws {
            let schema = TestSchema()
            let stores = Mutex<[PostgresStateStore]>([])
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                do {
                    let store = try schema.open()
                    stores.withLock { $0.append(store) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
            for store in stores.withLock({ $0 }) {
                #expect(try store.appliedMigrations() == PostgresStateStore.migrationNames)
            }
            #expect(try schema.execute("SELECT count(*) FROM schema_migrations") == [["3"]])
        }

        @Test func refusesADatabaseFromANewerVersion() throws {
            let schema = TestSchema()
            _ = try schema.open()
            try schema.execute("INSERT INTO schema_migrations (name) VALUES ('v99-from-the-future')")
            let error = try #require(throws: PostgresError.self) { try schema.open() }
            #expect(error.code == .migrate)
            #expect(error.message.contains("v99-from-the-future"))
        }

        @Test func reportsWhatTheServerSaid() throws {
            let schema = TestSchema()
            let unknown = schema.url.replacingOccurrences(of: "/newswire_test", with: "/no_such_database")
            let error = try #require(throws: PostgresError.self) {
                try PostgresStateStore(
                    url: unknown,
                    logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
                )
            }
            #expect(error.code == .connect)
            #expect(error.message.contains("no_such_database"))
            // A statement the server rejects keeps its SQLSTATE (22P02: invalid text representation).
            let store = try schema.open()
            let rejected = try #require(throws: PostgresError.self) {
                try store.database.withConnection(.read) { connection throws(PostgresFailure) in
                    try connection.execute("SELECT $1::bigint", [.text("not a number")])
                }
            }
            #expect(rejected.sqlState == "22P02")
            #expect(rejected.code == .read)
        }

        @Test func hidesThePasswordOfTheURL() {
            #expect(
                PostgresDatabase.redacted("postgresql://worker:s3cret@db.example:5432/news")
                    == "postgresql://worker:***@db.example:5432/news"
            )
            #expect(
                PostgresDatabase.redacted("postgresql://worker@db.example/news")
                    == "postgresql://worker@db.example/news"
            )
        }

        /// A commit is three round trips (BEGIN with the lock, one statement, COMMIT) whatever
        /// its size.
        @Test func commitsInThreeRoundTrips() throws {
            let schema = TestSchema()
            let store = try schema.open()
            let date = Date(timeIntervalSince1970: 1_800_000_000)
            for size in [1, 500] {
                let articles = (0..<size).map { seenArticle(hexID(size * 10_000 + $0), seenAt: date) }
                let before = store.roundTripCount
                try store.commit(
                    StateCommit(
                        articles: articles,
                        seenAgain: [hexID(1): date],
                        links: [hexID(size): date],
                        feeds: [FeedState(url: "https://a.example/\(size).xml")],
                        checkpoints: ["sink.offset": "\(size)"],
                        outbox: articles.map { record($0.id, "value", firstSeen: true) }
                    )
                )
                #expect(store.roundTripCount - before == 3)
            }
            let before = store.roundTripCount
            try store.commit(StateCommit())
            #expect(store.roundTripCount == before)
        }

        /// Round-trips every byte value, quotes, backslashes and braces through the arrays.
        @Test func keepsAwkwardValuesIntact() throws {
            let schema = TestSchema()
            let store = try schema.open()
            var awkward = seenArticle(hexID(7), seenAt: Date(timeIntervalSince1970: -62_135_769_600))
            awkward.url = "https://a.example/{x},\"y\"\\z NULL é 日本"
            awkward.signature = (0...255).map(UInt8.init)
            awkward.duplicateOf = "NULL"
            awkward.contentHash = UInt64.max
            let value = (0...255).map(UInt8.init)
            try store.commit(
                StateCommit(
                    articles: [awkward],
                    checkpoints: ["a,b": "{\"c\": [1, 2]}"],
                    outbox: [OutboxRecord(key: "NULL", value: value, headers: [], firstSeen: false)]
                )
            )
            #expect(try store.loadSeenArticles(seenSince: .distantPast) == [awkward])
            #expect(try store.checkpoint(named: "a,b") == "{\"c\": [1, 2]}")
            #expect(try store.outboxEntries(after: 0, limit: 1).first?.record.value == value)
        }
    }
}
