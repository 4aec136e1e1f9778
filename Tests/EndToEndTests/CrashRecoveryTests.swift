import Foundation
import NewswireTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Kills the real `newswire crawl` with SIGKILL at random moments and restarts it until it
/// finishes: the union of what the runs wrote must be exactly what one uninterrupted run
/// writes (nothing missing, nothing twice).
@Suite struct CrashRecoveryTests {
    private static func page(_ title: String, _ paragraphs: [String]) -> String {
        """
        <html><head><meta charset="utf-8"><title>\(title)</title></head><body>
        <article><h1>\(title)</h1>\(paragraphs.map { "<p>\($0)</p>" }.joined(separator: "\n"))</article>
        </body></html>
        """
    }

    private static func feed(_ base: String, _ name: String, _ links: [String]) -> String {
        let items = links.map { "<item><title>Item</title><link>\(base)\($0)</link></item>" }.joined(separator: "\n")
        return """
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0"><channel><title>\(name)</title><link>\(base)/</link>
            \(items)
            </channel></rss>
            """
    }

    /// Three feeds, 150 stories: feed B republishes every tenth story of feed A under its own
    /// URL (annotated duplicates), feed C links to some of A's pages with tracking parameters
    /// (the same canonical URL: dropped). Pages answer after 10 ms so a crawl takes a while.
    private func makeSite() async throws -> TestSite {
        let site = try TestSite()
        let base = try await site.start()
        var feeds: [String: [String]] = ["a": [], "b": [], "c": []]
        for index in 0..<60 {
            let path = "/a/story-\(index).html"
            site.route(
                path,
                .init(
                    contentType: "text/html",
                    body: Self.page("A story \(index)", InventedNews.paragraphs(index)),
                    delay: 0.01
                )
            )
            feeds["a"]?.append(path)
        }
        for index in 0..<60 {
            let path = "/b/news-\(index).html"
            let source = index % 10 == 0 ? index : 1000 + index
            site.route(
                path,
                .init(
                    contentType: "text/html",
                    body: Self.page("B news \(index)", InventedNews.paragraphs(source)),
                    delay: 0.01
                )
            )
            feeds["b"]?.append(path)
        }
        for index in 0..<30 {
            let path = "/c/item-\(index).html"
            site.route(
                path,
                .init(
                    contentType: "text/html",
                    body: Self.page("C item \(index)", InventedNews.paragraphs(2000 + index)),
                    delay: 0.01
                )
            )
            feeds["c"]?.append(path)
            if index % 5 == 0 {
                let tracked = "/a/story-\(index).html?utm_source=c&fbclid=x\(index)"
                site.route(
                    tracked,
                    .init(contentType: "text/html", body: Self.page("A story \(index)", InventedNews.paragraphs(index)))
                )
                feeds["c"]?.append(tracked)
            }
        }
        for (name, links) in feeds {
            site.route("/\(name).xml", .init(contentType: "application/rss+xml", body: Self.feed(base, name, links)))
        }
        return site
    }

    private func writePipeline(in folder: URL, base: String) throws -> URL {
        let file = folder.appendingPathComponent("crash.yaml")
        let yaml = """
            name: crash
            feeds:
              - \(base)/a.xml
              - \(base)/b.xml
              - \(base)/c.xml
            allow_networks: [127.0.0.0/8]
            output: out/articles.ndjson
            errors: out/errors.ndjson
            state: state/crash.sqlite
            fetch:
              max_connections_per_host: 4
            dedup:
              mode: annotate
              window_days: 30
            """
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// The article lines of `folder`'s output without `fetched_at` (the only field that
    /// changes between runs).
    private func articleLines(in folder: URL) throws -> [String] {
        let text = try String(contentsOf: folder.appendingPathComponent("out/articles.ndjson"), encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: ",\"fetched_at\":\"[^\"]*\"")
        return text.split(separator: "\n").map { line in
            let line = String(line)
            return pattern.stringByReplacingMatches(
                in: line,
                range: NSRange(line.startIndex..., in: line),
                withTemplate: ""
            )
        }
    }

    /// When to kill a run: once `file` has grown by `bytes` since the start (or at once for
    /// 0), then `extraDelay` seconds later.
    private struct KillPoint: Sendable {
        var file: URL
        var bytes: Int
        var extraDelay: Double
    }

    private static func size(of file: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Starts the crawl and, with a kill point, kills it with SIGKILL there unless it ended.
    /// Returns the exit status, or `nil` when it was killed.
    private func runCrawl(_ pipeline: URL, killAt point: KillPoint? = nil) async throws -> Int32? {
        try await runBlocking {
            // The size before the process starts: it truncates uncommitted output on start.
            let start = point.map { Self.size(of: $0.file) } ?? 0
            let process = Process()
            process.executableURL = Repository.newswireBinary
            process.arguments = ["crawl", pipeline.path, "--no-progress", "--log-level", "error"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            if let point {
                while process.isRunning && Self.size(of: point.file) < start + point.bytes { usleep(1000) }
                if point.extraDelay > 0 { usleep(UInt32(point.extraDelay * 1_000_000)) }
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                    return nil
                }
            }
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    @Test func killedCrawlsResumeWithNothingLostAndNothingTwice() async throws {
        let site = try await self.makeSite()
        defer { Task { await site.stop() } }
        let referenceFolder = try Repository.temporaryFolder()
        let crashFolder = try Repository.temporaryFolder()
        defer {
            try? FileManager.default.removeItem(at: referenceFolder)
            try? FileManager.default.removeItem(at: crashFolder)
        }

        // One uninterrupted run gives the expected output.
        let reference = try self.writePipeline(in: referenceFolder, base: site.baseURL)
        #expect(try await self.runCrawl(reference) == 0)
        let expected = try self.articleLines(in: referenceFolder)
        let expectedBytes = Self.size(of: referenceFolder.appendingPathComponent("out/articles.ndjson"))
        // 60 + 60 + 30 stories; C's tracked links repeat A's URLs and are dropped.
        #expect(expected.count == 150)
        #expect(expected.filter { $0.contains("\"duplicate_of\"") }.count == 6)
        #expect(Set(expected).count == expected.count)

        // Kill at random points: before any output, or after the output has grown by a random
        // part of what is left, plus up to 30 ms (so kills land between the sink's fsync and
        // the state commit too). Restart until a run finishes by itself.
        let pipeline = try self.writePipeline(in: crashFolder, base: site.baseURL)
        let output = crashFolder.appendingPathComponent("out/articles.ndjson")
        var random = SystemRandomNumberGenerator()
        var kills = 0
        var killsMidOutput = 0
        var finished = false
        for attempt in 0..<40 {
            let left = max(1, expectedBytes - Self.size(of: output))
            let point =
                attempt < 10
                ? KillPoint(
                    file: output,
                    // At most two thirds of what is left, so a later commit is still to come.
                    bytes: attempt == 0 ? 0 : Int.random(in: 1...max(1, left * 2 / 3), using: &random),
                    extraDelay: Double.random(in: 0...0.03, using: &random)
                ) : nil
            let status = try await self.runCrawl(pipeline, killAt: point)
            if let status {
                #expect(status == 0)
                finished = true
                break
            }
            kills += 1
            let written = (try? String(contentsOf: output, encoding: .utf8))?.split(separator: "\n").count ?? 0
            if written > 0 && written < expected.count { killsMidOutput += 1 }
        }
        #expect(finished)
        #expect(killsMidOutput > 0, "no run was killed in the middle of its output (\(kills) kills)")
        let actual = try self.articleLines(in: crashFolder)
        // Counts, not the lines themselves: a failure message of 150 articles helps nobody.
        let missing = Set(expected).subtracting(actual).count
        let repeated = actual.count - Set(actual).count
        #expect(missing == 0, "articles missing after \(kills) kills")
        #expect(repeated == 0, "articles written twice after \(kills) kills")
        let identical = actual == expected
        #expect(identical, "the output differs from the uninterrupted run's (order or content)")
    }
}
