import Foundation
import InMemoryLogging
import Logging
import NewswireCore
import NewswireDedup
import NewswireStateTestSupport
import Synchronization
import Testing

@testable import NewswirePostgres

extension PostgresTests {
    /// A lost connection is retried with backoff, logged, and nothing is lost or doubled.
    @Suite struct ReconnectTests {
        @Test func commitsAfterTheBackendIsKilled() throws {
            let schema = TestSchema()
            let logs = InMemoryLogHandler()
            let store = try schema.open(logger: Logger(label: "test", factory: { _ in logs }))
            let date = Date(timeIntervalSince1970: 1_800_000_000)
            try store.commit(
                StateCommit(
                    articles: [seenArticle(hexID(1), seenAt: date)],
                    outbox: [record(hexID(1), "a", firstSeen: true)]
                )
            )
            let pid = try store.database.withConnection(.read) { connection throws(PostgresFailure) in
                try connection.execute("SELECT pg_backend_pid()").scalar ?? ""
            }
            #expect(try schema.execute("SELECT pg_terminate_backend(\(pid))") == [["t"]])
            try store.commit(
                StateCommit(
                    articles: [seenArticle(hexID(2), seenAt: date)],
                    outbox: [record(hexID(2), "b", firstSeen: true)]
                )
            )
            #expect(try store.loadSeenArticles(seenSince: .distantPast).map(\.id) == [hexID(1), hexID(2)])
            #expect(try store.outboxEntries(after: 0, limit: 10).map(\.record.key) == [hexID(1), hexID(2)])
            let messages = logs.entries.map(\.message.description)
            #expect(messages.contains("postgres retrying"))
            #expect(messages.contains("postgres reconnected"))
            #expect(store.isReachable)
        }

        /// The connection is cut after the server received `COMMIT` but before the answer came
        /// back: the store asks the server whether that transaction committed instead of running
        /// it again, so its outbox record is stored once.
        @Test func aCommitCutOffIsNotAppliedTwice() throws {
            let schema = TestSchema()
            let server = try #require(URLComponents(string: schema.url)?.port)
            let proxy = try CommitCuttingProxy(serverPort: server)
            let logs = InMemoryLogHandler()
            let store = try PostgresStateStore(
                url: "postgresql://postgres@127.0.0.1:\(proxy.port)/newswire_test?sslmode=disable&gssencmode=disable",
                schema: schema.name,
                retry: PostgresRetryPolicy(initialDelay: 0.05, maximumDelay: 1, giveUpAfter: 30),
                logger: Logger(label: "test", factory: { _ in logs })
            )
            let date = Date(timeIntervalSince1970: 1_800_000_000)
            proxy.arm()
            try store.commit(
                StateCommit(
                    articles: [seenArticle(hexID(1), seenAt: date)],
                    outbox: [record(hexID(1), "revision two", firstSeen: false)]
                )
            )
            #expect(proxy.cutCount == 1)
            #expect(try store.outboxEntries(after: 0, limit: 10).map(\.record.key) == [hexID(1)])
            #expect(logs.entries.contains { $0.message.description == "postgres commit had succeeded" })
        }

        /// The server restarts while a worker commits without pause: every commit is stored
        /// exactly once.
        @Test(
            .enabled(
                if: ProcessInfo.processInfo.environment["NEWSWIRE_TEST_POSTGRES_RESTART"] != nil,
                "NEWSWIRE_TEST_POSTGRES_RESTART is not set (scripts/with-postgres sets it)"
            )
        )
        func commitsThroughAServerRestart() throws {
            let schema = TestSchema()
            let logs = InMemoryLogHandler()
            let store = try schema.open(logger: Logger(label: "test", factory: { _ in logs }))
            let date = Date(timeIntervalSince1970: 1_800_000_000)
            let commits = 60
            let failure = Mutex<String?>(nil)
            let started = DispatchSemaphore(value: 0)
            let group = DispatchGroup()
            DispatchQueue.global().async(group: group) {
                for index in 0..<commits {
                    if index == 5 { started.signal() }
                    let articles = (0..<10).map { seenArticle(hexID(index * 100 + $0), seenAt: date) }
                    let commit = StateCommit(
                        articles: articles,
                        checkpoints: ["sink.offset": "\(index)"],
                        outbox: [record(hexID(index * 100), "commit \(index)", firstSeen: false)]
                    )
                    do { try store.commit(commit) } catch {
                        failure.withLock { $0 = "\(error)" }
                        return
                    }
                    Thread.sleep(forTimeInterval: 0.02)
                }
            }
            started.wait()
            let restart = ProcessInfo.processInfo.environment["NEWSWIRE_TEST_POSTGRES_RESTART"] ?? ""
            #expect(run(restart) == 0)
            group.wait()
            #expect(failure.withLock { $0 } == nil)
            #expect(try store.loadSeenArticles(seenSince: .distantPast).count == commits * 10)
            let values = try store.outboxEntries(after: 0, limit: 1000).map {
                String(decoding: $0.record.value, as: UTF8.self)
            }
            #expect(values == (0..<commits).map { "commit \($0)" })
            #expect(try store.checkpoint(named: "sink.offset") == "\(commits - 1)")
            #expect(logs.entries.contains { $0.message.description == "postgres retrying" })
        }

        /// A database that stays unreachable fails the commit with `unavailable` once the
        /// retry time is over (here half a second), instead of blocking for ever.
        @Test func givesUpAfterTheRetryTime() throws {
            let schema = TestSchema()
            let database = schema.name + "_db"
            try schema.execute("CREATE DATABASE \(database)")
            defer { _ = try? schema.execute("DROP DATABASE IF EXISTS \(database) WITH (FORCE)") }
            let store = try PostgresStateStore(
                url: schema.url.replacingOccurrences(of: "/newswire_test", with: "/\(database)"),
                retry: PostgresRetryPolicy(initialDelay: 0.05, maximumDelay: 0.1, giveUpAfter: 0.5),
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
            )
            // No one may connect to it any more; cut the store's connection.
            try schema.execute("ALTER DATABASE \(database) ALLOW_CONNECTIONS false")
            try schema.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(database)'"
            )
            let start = Date()
            let error = try #require(throws: PostgresError.self) {
                try store.commit(StateCommit(checkpoints: ["a": "b"]))
            }
            #expect(error.code == .unavailable)
            #expect(!store.isReachable)
            #expect(Date().timeIntervalSince(start) < 5)
        }
    }
}

/// Runs the program at `path` and returns its exit status.
///
/// Not Foundation's `Process`: it waits for its child's end through an inherited descriptor,
/// and the server that `pg_ctl restart` starts keeps that open, so it would wait for ever.
private func run(_ path: String) -> Int32 {
    var pid: pid_t = 0
    let arguments: [UnsafeMutablePointer<CChar>?] = [strdup(path), nil]
    defer { for argument in arguments { free(argument) } }
    guard posix_spawn(&pid, path, nil, nil, arguments, environ) == 0 else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    return status
}
