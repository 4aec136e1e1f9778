import Foundation
import NewswireCore
import NewswireDedup
import NewswireStateTestSupport
import Synchronization
import Testing

@testable import NewswirePostgres

extension PostgresTests {
    /// Several workers on one database: first seen wins, and each sees the others' articles.
    @Suite struct SharedDedupTests {
        /// Two workers commit the same new articles at the same time, in batches of their own:
        /// each article is stored once and announced by exactly one outbox record.
        @Test func firstSeenWinsAcrossWorkers() throws {
            let schema = TestSchema()
            let stores = try [schema.open(), schema.open()]
            let date = Date(timeIntervalSince1970: 1_800_000_000)
            let ids = (0..<300).map { hexID(0xA000 + $0) }
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 2) { worker in
                // Worker 0 goes forward in batches of 7, worker 1 backward in batches of 11.
                let order = worker == 0 ? ids : ids.reversed()
                let size = worker == 0 ? 7 : 11
                for start in stride(from: 0, to: order.count, by: size) {
                    let batch = order[start..<min(start + size, order.count)]
                    var articles = batch.map { seenArticle($0, seenAt: date) }
                    for index in articles.indices { articles[index].url = "https://worker\(worker).example/\(index)" }
                    let commit = StateCommit(
                        articles: articles,
                        outbox: batch.map { record($0, "worker \(worker)", firstSeen: true) }
                    )
                    do { try stores[worker].commit(commit) } catch { failures.withLock { $0.append("\(error)") } }
                }
            }
            #expect(failures.withLock { $0 } == [])
            let entries = try stores[0].outboxEntries(after: 0, limit: 10_000)
            #expect(entries.count == ids.count)
            #expect(Set(entries.map(\.record.key)) == Set(ids))
            // The stored article is the one whose record went out.
            let stored = Dictionary(
                uniqueKeysWithValues: try stores[1].loadSeenArticles(seenSince: .distantPast).map { ($0.id, $0.url) }
            )
            for entry in entries {
                let worker = String(decoding: entry.record.value, as: UTF8.self).last.map(String.init) ?? ""
                #expect(stored[entry.record.key]?.hasPrefix("https://worker\(worker).example/") == true)
            }
            // Both won some (they raced): the test did exercise the conflict.
            let winners = Set(entries.map { String(decoding: $0.record.value, as: UTF8.self) })
            #expect(winners.count == 2)
        }

        /// What one worker commits, another reads after its last position, in commit order,
        /// updates included; nothing is read twice.
        @Test func workersReadEachOthersCommitsInOrder() throws {
            let schema = TestSchema()
            let writer = try schema.open()
            let other = try schema.open()
            let reader = try schema.open()
            let date = Date(timeIntervalSince1970: 1_800_000_000)
            var position = try reader.lastSeenPosition()
            try writer.commit(StateCommit(articles: [seenArticle(hexID(3), seenAt: date)]))
            try other.commit(StateCommit(articles: [seenArticle(hexID(1), seenAt: date)]))
            try writer.commit(
                StateCommit(articles: [seenArticle(hexID(2), seenAt: date), seenArticle(hexID(0), seenAt: date)])
            )
            var read = try reader.seenArticles(after: position, limit: 2)
            #expect(read.articles.map(\.id) == [hexID(3), hexID(1)])
            position = read.last
            read = try reader.seenArticles(after: position, limit: 100)
            #expect(read.articles.map(\.id) == [hexID(2), hexID(0)])
            position = read.last
            #expect(position == (try reader.lastSeenPosition()))
            // A new revision by another worker comes again, with its new values.
            var revised = seenArticle(hexID(1), seenAt: date.addingTimeInterval(60), contentHash: 77)
            revised.revision = 2
            try writer.commit(StateCommit(articles: [revised]))
            read = try reader.seenArticles(after: position, limit: 100)
            #expect(read.articles == [revised])
            #expect(try reader.seenArticles(after: read.last, limit: 100).articles.isEmpty)
            // First-stored order is unchanged by the update.
            #expect(
                try reader.loadSeenArticles(seenSince: .distantPast).map(\.id) == [
                    hexID(3), hexID(1), hexID(2), hexID(0),
                ]
            )
        }

        /// While workers commit, a reader polling after its position never misses or repeats
        /// an article (positions grow in commit order).
        @Test func aReaderFollowingConcurrentCommitsMissesNothing() throws {
            let schema = TestSchema()
            let writers = try [schema.open(), schema.open()]
            let reader = try schema.open()
            let date = Date(timeIntervalSince1970: 1_800_000_000)
            let done = Atomic<Int>(0)
            let failures = Mutex<[String]>([])
            var seen: [String] = []
            let group = DispatchGroup()
            for worker in 0..<2 {
                DispatchQueue.global().async(group: group) {
                    for batch in 0..<40 {
                        let articles = (0..<5).map { seenArticle(hexID(worker << 20 | batch << 8 | $0), seenAt: date) }
                        do { try writers[worker].commit(StateCommit(articles: articles)) } catch {
                            failures.withLock { $0.append("\(error)") }
                        }
                    }
                    done.add(1, ordering: .sequentiallyConsistent)
                }
            }
            var position: Int64 = 0
            while true {
                let finished = done.load(ordering: .sequentiallyConsistent) == 2
                let read = try reader.seenArticles(after: position, limit: 17)
                seen += read.articles.map(\.id)
                position = read.last
                if finished && read.articles.isEmpty { break }
            }
            group.wait()
            #expect(failures.withLock { $0 } == [])
            #expect(seen.count == 400)
            #expect(Set(seen).count == 400)
            // Each worker's articles arrive in the order it committed them.
            for worker in 0..<2 {
                let own = seen.filter { Int($0, radix: 16)! >> 20 == worker }
                #expect(own == own.sorted())
            }
        }
    }
}
