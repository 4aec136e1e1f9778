import Foundation
import NewswireDedup
import NewswireState
import Testing

@testable import NewswirePipeline

/// The output stage's commits stored off the sink thread, in a real SQLite file.
@Suite struct StateCommitQueueTests {
    private static func article(_ number: Int) -> SeenArticle {
        SeenArticle(
            id: "story-\(number)",
            url: "https://harbourtown.example/news/\(number)",
            contentHash: UInt64(number) &* 0x9E37_79B9_7F4A_7C15,
            signature: Array(repeating: UInt8(number % 251), count: 64),
            hasText: true,
            revision: 1,
            duplicateOf: nil,
            seenAt: Date(timeIntervalSince1970: 1_790_000_000 + Double(number))
        )
    }

    @Test func commitsAreStoredInTheOrderSubmittedAndWaitReturnsOnceAllAre() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("commit-queue-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try StateStore(path: folder.appendingPathComponent("state.sqlite").path)
        let queue = StateCommitQueue(store: store)
        // Each commit moves the same checkpoint on: only the order submitted leaves the last.
        for round in 0..<40 {
            let articles = (0..<25).map { Self.article(round * 25 + $0) }
            queue.submit(StateCommit(articles: articles, checkpoints: ["sink.test": "offset \(round)"]))
        }
        #expect(queue.wait() == nil)
        #expect(try store.checkpoint(named: "sink.test") == "offset 39")
        #expect(try store.seenArticleCount() == 1_000)
        let stored = try store.loadSeenArticles(seenSince: .distantPast).map(\.id)
        #expect(stored == (0..<1_000).map { "story-\($0)" })
    }

    @Test func theStoreCanBeReadWhileACommitIsStored() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("commit-queue-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try StateStore(path: folder.appendingPathComponent("state.sqlite").path)
        let queue = StateCommitQueue(store: store)
        for round in 0..<20 {
            queue.submit(StateCommit(articles: (0..<200).map { Self.article(round * 200 + $0) }))
            // What the fetch workers do meanwhile: read feed states and checkpoints.
            _ = try store.allFeedStates()
            let count = try store.seenArticleCount()
            #expect(count <= (round + 1) * 200)
        }
        #expect(queue.wait() == nil)
        #expect(try store.seenArticleCount() == 4_000)
    }
}
