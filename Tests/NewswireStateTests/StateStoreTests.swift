import Foundation
import NewswireCore
import NewswireDedup
import NewswireState
import NewswireStateTestSupport
import Testing

private func temporaryPath() -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("newswire-state-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.appendingPathComponent("state.sqlite").path
}

/// The SQLite store: its own tests (file, WAL, migrations), then the store tests every state
/// store passes (``StateStoreConformance``, run on PostgreSQL by NewswirePostgresTests).
@Suite struct StateStoreTests {
    @Test func createsSchemaInWALMode() throws {
        let path = temporaryPath()
        let store = try StateStore(path: path)
        #expect(try store.appliedMigrations() == StateStore.migrationNames)
        #expect(try store.journalMode() == "wal")
        // Reopening applies nothing twice.
        let reopened = try StateStore(path: path)
        #expect(try reopened.appliedMigrations() == StateStore.migrationNames)
    }

    @Test func refusesAFileThatIsNotADatabase() throws {
        let path = temporaryPath()
        try Data("not a database at all, just text".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: StateError.self) { try StateStore(path: path) }
    }

    @Test func savesFeedStatesOneByOne() throws {
        let store = try StateStore.inMemory()
        let feed = FeedState(url: "https://a.example/rss.xml", etag: "\"abc\"", intervalSeconds: 900)
        try store.saveFeedState(feed)
        #expect(try store.feedState(for: feed.url) == feed)
        try store.saveCheckpoint("7", named: "sink.offset")
        #expect(try store.checkpoint(named: "sink.offset") == "7")
    }

    @Test func savesAndLoadsSeenArticlesInFirstStoredOrder() throws {
        try StateStoreConformance.savesAndLoadsSeenArticlesInFirstStoredOrder(StateStore.inMemory())
    }

    @Test func keepsTheLastValuesOfAnArticleCommittedTwice() throws {
        try StateStoreConformance.keepsTheLastValuesOfAnArticleCommittedTwice(StateStore.inMemory())
    }

    @Test func evictsByTimeSeen() throws {
        try StateStoreConformance.evictsByTimeSeen(StateStore.inMemory())
    }

    @Test func keepsFeedValidatorsAndSchedules() throws {
        try StateStoreConformance.keepsFeedValidatorsAndSchedules(StateStore.inMemory())
    }

    @Test func storesOutboxRecordsInCommitOrder() throws {
        try StateStoreConformance.storesOutboxRecordsInCommitOrder(StateStore.inMemory())
    }

    @Test func dropsTheFirstSeenRecordOfAnArticleStoredBefore() throws {
        try StateStoreConformance.dropsTheFirstSeenRecordOfAnArticleStoredBefore(StateStore.inMemory())
    }

    @Test func readsSeenArticlesAfterAPosition() throws {
        try StateStoreConformance.readsSeenArticlesAfterAPosition(StateStore.inMemory())
    }

    @Test func storesALargeCommit() throws {
        try StateStoreConformance.storesALargeCommit(StateStore.inMemory())
    }

    @Test func deduplicatorRestartsFromAPopulatedDatabase() throws {
        let path = temporaryPath()
        try StateStoreConformance.deduplicatorRestartsFromAPopulatedStore { try StateStore(path: path) }
    }
}
