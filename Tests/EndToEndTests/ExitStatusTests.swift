import Foundation
import NewswireTesting
import Testing

/// Exit statuses and messages of the real binary for inputs that cannot be read.
@Suite struct ExitStatusTests {
    /// A loopback address where nothing listens: a site started and stopped again.
    private func closedAddress() async throws -> String {
        let site = try TestSite()
        let base = try await site.start()
        await site.stop()
        return base
    }

    @Test func singleDocumentCommandsThatCannotConnectExitOne() async throws {
        let base = try await self.closedAddress()
        for command in ["feed", "extract"] {
            let result = try await runNewswire([command, base + "/nothing-here.xml", "--allow-network", "127.0.0.0/8"])
            #expect(result.status == 1, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("cannot fetch \(base)/nothing-here.xml: transport"), "\(result.stderr)")
            #expect(!result.stderr.contains("Usage:"))
        }
    }

    @Test func aDirectoryOrMissingFileIsNamedAsSuch() async throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let extract = try await runNewswire(["extract", folder.path])
        #expect(extract.status == 1)
        #expect(extract.stderr.contains("it is a directory"), "\(extract.stderr)")
        #expect(!extract.stderr.contains("NSCocoaErrorDomain"))
        let feed = try await runNewswire(["feed", folder.appendingPathComponent("absent.xml").path])
        #expect(feed.status == 1)
        #expect(feed.stderr.contains("no such file"), "\(feed.stderr)")
        let crawl = try await runNewswire(["crawl", folder.path])
        #expect(crawl.status == 64)
        #expect(crawl.stderr.contains("is a directory, not a pipeline or OPML file"), "\(crawl.stderr)")
    }

    @Test func aRunThatCannotOpenItsOutputExitsTwo() async throws {
        let site = try TestSite()
        let base = try await site.start()
        InventedNews.addFeed("iota", stories: 1, to: site, seed: 1300)
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The output names a directory.
        let result = try await runNewswire([
            "crawl", base + "/iota.xml", "--output", folder.path, "--no-progress", "--no-entities",
        ])
        await site.stop()
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("it is a directory"))
    }
}
