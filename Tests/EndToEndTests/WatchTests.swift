import Foundation
import NewswireTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `newswire watch` and `newswire status` against a local site: one cycle, the
/// all-304 cycle, failing and gone feeds, the daemon's endpoint, SIGHUP reload and a clean
/// SIGTERM shutdown.
@Suite(.serialized) struct WatchTests {
    /// Two good feeds of three stories each, one that fails (500) and one that is gone (410).
    private func makeSite() async throws -> TestSite {
        let site = try TestSite()
        let base = try await site.start()
        for name in ["tide", "quarry", "orchard"] {
            var links: [String] = []
            for index in 0..<3 {
                let path = "/\(name)/story-\(index).html"
                site.route(
                    path,
                    .init(
                        contentType: "text/html",
                        body: InventedNews.page("\(name) story \(index)", seed: name.count * 10 + index)
                    )
                )
                links.append(base + path)
            }
            site.route(
                "/\(name).xml",
                .init(
                    contentType: "application/rss+xml",
                    body: InventedNews.feed("The \(name) Ledger", base: base, links: links)
                )
            )
        }
        site.route("/broken.xml", .init(status: 500, contentType: "text/plain", body: "down for maintenance"))
        site.route("/retired.xml", .init(status: 410, contentType: "text/plain", body: "this feed is gone"))
        return site
    }

    private func writePipeline(
        _ folder: URL,
        base: String,
        feeds: [String],
        listen: String = "off",
        interval: Int = 1
    ) throws -> URL {
        let file = folder.appendingPathComponent("watch.yaml")
        let text = """
            name: harbour
            feeds:
            \(feeds.map { "  - \(base)/\($0)" }.joined(separator: "\n"))
            allow_networks: [127.0.0.0/8]
            output: out/articles.ndjson
            errors: out/errors.ndjson
            state: state/watch.sqlite
            entities: false
            watch:
              min_interval: \(interval)s
              max_interval: \(interval)s
              failure_backoff: 1s
              jitter: 0
              drain_s: 5
              listen: \(listen)
            """
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    private func lines(_ file: URL) -> [String] {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    @Test func onceRunsOneCycleAndTheNextIsAll304() async throws {
        let site = try await self.makeSite()
        defer { Task { await site.stop() } }
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pipeline = try self.writePipeline(
            folder,
            base: site.baseURL,
            feeds: ["tide.xml", "quarry.xml", "broken.xml", "retired.xml"],
            // Long enough that a second run started right away finds nothing due even on a
            // loaded machine (with 3 s, a slow start of the second run saw feeds due again).
            interval: 8
        )
        let first = try await runNewswire(["watch", pipeline.path, "--once"])
        #expect(first.status == 0, "\(first.stderr)")
        let articles = self.lines(folder.appendingPathComponent("out/articles.ndjson"))
        #expect(articles.count == 6)
        let errors = self.lines(folder.appendingPathComponent("out/errors.ndjson"))
        #expect(errors.count == 2)
        #expect(errors.contains { $0.contains("410 Gone") })

        // Right away, nothing is due: the second cycle polls nothing.
        let idle = try await runNewswire(["watch", pipeline.path, "--once"])
        #expect(idle.status == 0)
        #expect(idle.stderr.contains("feeds 0 ok, 0 failed"), "\(idle.stderr)")

        // An interval later every feed is due: the good ones answer 304, nothing is written twice.
        try await Task.sleep(for: .milliseconds(8100))
        let before = site.notModifiedCount
        let again = try await runNewswire(["watch", pipeline.path, "--once"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(site.notModifiedCount - before == 2)
        #expect(self.lines(folder.appendingPathComponent("out/articles.ndjson")).count == 6)

        let status = try await runNewswire(["status", pipeline.path, "--json"])
        #expect(status.status == 0, "\(status.stderr)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        )
        #expect(report["ok"] as? Int == 2)
        #expect(report["failing"] as? Int == 1)
        #expect(report["gone"] as? Int == 1)
        let feeds = try #require(report["feeds"] as? [[String: Any]])
        let broken = try #require(feeds.first { ($0["url"] as? String)?.hasSuffix("/broken.xml") == true })
        #expect(broken["consecutive_failures"] as? Int == 2)
        #expect(broken["last_status"] as? Int == 500)
        let table = try await runNewswire(["status", pipeline.path])
        #expect(table.stdout.contains("failing"))
        #expect(table.stdout.contains("4 feeds: 2 ok, 1 failing, 1 gone"))
    }

    @Test func rotatedOutputClosesEveryFileOnAStop() async throws {
        let site = try await self.makeSite()
        defer { Task { await site.stop() } }
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var pipeline = try String(
            contentsOf: try self.writePipeline(
                folder,
                base: site.baseURL,
                feeds: ["tide.xml", "quarry.xml", "orchard.xml"]
            ),
            encoding: .utf8
        )
        pipeline = pipeline.replacingOccurrences(
            of: "output: out/articles.ndjson\nerrors: out/errors.ndjson",
            with: "output: out/articles-%Y%m%dT%H%M%S.ndjson\noutput_rotate: {bytes: 2000}"
        )
        let file = folder.appendingPathComponent("watch.yaml")
        try pipeline.write(to: file, atomically: true, encoding: .utf8)
        let run = try await runNewswire(["watch", file.path, "--once"])
        #expect(run.status == 0, "\(run.stderr)")
        let out = folder.appendingPathComponent("out")
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        // Closed files only (the hidden open ones are renamed at the clean end).
        #expect(!names.contains { $0.hasPrefix(".") }, "\(names)")
        let articleFiles = names.filter { $0.hasPrefix("articles-") && !$0.contains(".errors.") }
        #expect(!articleFiles.isEmpty, "\(names)")
        let lines = articleFiles.flatMap { self.lines(out.appendingPathComponent($0)) }
        #expect(lines.count == 9)
        #expect(Set(lines).count == 9)
    }

    @Test func watchArchivesWhatItFetchesAndReplayGivesTheSameArticles() async throws {
        let site = try await self.makeSite()
        defer { Task { await site.stop() } }
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pipeline = try self.writePipeline(folder, base: site.baseURL, feeds: ["tide.xml", "orchard.xml"])
        let archive = folder.appendingPathComponent("archive")
        let run = try await runNewswire(["watch", pipeline.path, "--once", "--archive", archive.path])
        #expect(run.status == 0, "\(run.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: archive.path).filter {
            $0.hasSuffix(".warc.gz")
        }
        #expect(!files.isEmpty)
        let replayed = folder.appendingPathComponent("replayed.ndjson")
        let replay = try await runNewswire([
            "replay", pipeline.path, archive.path, "--output", replayed.path, "--state",
            folder.appendingPathComponent("replay.sqlite").path,
        ])
        #expect(replay.status == 0, "\(replay.stderr)")
        func urls(_ file: URL) -> [String] {
            self.lines(file).compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["url"] as? String
            }
        }
        let watched = urls(folder.appendingPathComponent("out/articles.ndjson"))
        #expect(watched.count == 6)
        // The daemon writes polls as they arrive; the replay in the archive's order.
        #expect(urls(replayed).sorted() == watched.sorted())
    }

    @Test func aPermanentRedirectMovesTheFeed() async throws {
        let site = try await self.makeSite()
        defer { Task { await site.stop() } }
        site.route("/old-orchard.xml", .redirect(to: "/orchard.xml", status: 301))
        site.route("/summer-orchard.xml", .redirect(to: "/orchard.xml", status: 302))
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pipeline = try self.writePipeline(
            folder,
            base: site.baseURL,
            feeds: ["old-orchard.xml", "summer-orchard.xml"]
        )
        let first = try await runNewswire(["watch", pipeline.path, "--once"])
        #expect(first.status == 0, "\(first.stderr)")
        try await Task.sleep(for: .milliseconds(1100))
        let requestsBefore = site.requests.count
        let again = try await runNewswire(["watch", pipeline.path, "--once"])
        #expect(again.status == 0, "\(again.stderr)")
        let later = Array(site.requests.dropFirst(requestsBefore))
        // The 301 is followed for good; the 302 is asked again.
        #expect(!later.contains("/old-orchard.xml"))
        #expect(later.contains("/summer-orchard.xml"))
        #expect(later.filter { $0 == "/orchard.xml" }.count == 2)
        let status = try await runNewswire(["status", pipeline.path, "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let feeds = try #require(report["feeds"] as? [[String: Any]])
        let moved = try #require(feeds.first { ($0["url"] as? String)?.hasSuffix("/old-orchard.xml") == true })
        #expect(moved["location"] as? String == site.baseURL + "/orchard.xml")
        let temporary = try #require(feeds.first { ($0["url"] as? String)?.hasSuffix("/summer-orchard.xml") == true })
        #expect(temporary["location"] == nil)
    }

    @Test func theDaemonServesMetricsReloadsAndStopsCleanly() async throws {
        let site = try await self.makeSite()
        defer { Task { await site.stop() } }
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = try freeLoopbackPort()
        let listen = "127.0.0.1:\(port)"
        let pipeline = try self.writePipeline(folder, base: site.baseURL, feeds: ["tide.xml"], listen: listen)
        let process = Process()
        process.executableURL = Repository.newswireBinary
        process.arguments = ["watch", pipeline.path, "--log-format", "json", "--log-level", "info"]
        let errorLog = folder.appendingPathComponent("stderr.log")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errorLog)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let articles = folder.appendingPathComponent("out/articles.ndjson")

        try await waitFor("the first feed's articles") { self.lines(articles).count == 3 }
        let health = try await httpGet("http://\(listen)/healthz")
        #expect(health.status == 200)
        // The articles are counted once they are committed; the counters move at the next
        // progress report.
        try await waitFor("metrics with the articles") {
            let metrics = try? await httpGet("http://\(listen)/metrics")
            return metrics?.body.contains("newswire_articles_total 3") == true
        }
        let metrics = try await httpGet("http://\(listen)/metrics")
        #expect(metrics.body.contains("newswire_fetches_total{status=\"2xx\"}"))
        #expect(metrics.body.contains("newswire_feeds 1"))
        #expect(metrics.body.contains("newswire_fetch_duration_seconds"))

        // SIGHUP with a bad file: logged, the old pipeline keeps running.
        let good = try String(contentsOf: pipeline, encoding: .utf8)
        try "feeds: [".write(to: pipeline, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        try await waitFor("the reload error in the log") {
            (try? String(contentsOf: errorLog, encoding: .utf8))?.contains("not reloaded") == true
        }
        #expect(process.isRunning)

        // SIGHUP with a feed added: its articles arrive without a restart.
        try good.replacingOccurrences(
            of: "  - \(site.baseURL)/tide.xml",
            with: "  - \(site.baseURL)/tide.xml\n  - \(site.baseURL)/orchard.xml"
        )
        .write(to: pipeline, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        try await waitFor("the added feed's articles") { self.lines(articles).count == 6 }
        // Polled every second: the feeds answer 304 and nothing is written twice.
        try await waitFor("a 304 cycle") { site.notModifiedCount >= 2 }

        kill(process.processIdentifier, SIGTERM)
        let exited = try await waitFor("a clean exit", timeout: 15) { !process.isRunning }
        _ = exited
        #expect(process.terminationStatus == 0)
        let written = self.lines(articles)
        #expect(written.count == 6)
        #expect(Set(written).count == 6)
        let log = try String(contentsOf: errorLog, encoding: .utf8)
        // JSON log lines, one object a line.
        let logLines = log.split(separator: "\n").filter { $0.hasPrefix("{") }
        #expect(!logLines.isEmpty)
        for line in logLines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "\(line)")
        }
        #expect(log.contains("pipeline reloaded"))
        #expect(log.contains("stopping"))
    }
}

/// Polls `condition` every 50 ms until it holds, or fails after `timeout` seconds.
@discardableResult
func waitFor(
    _ what: String,
    timeout: Double = 20,
    _ condition: @Sendable () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("timed out waiting for \(what)")
    throw CancellationError()
}

/// A port on 127.0.0.1 that nothing listens on right now (bound, read, released).
func freeLoopbackPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EMFILE) }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return UInt16(bigEndian: address.sin_port)
}

/// A plain GET through URLSession-free curl: the status and body of `url` (loopback only).
func httpGet(_ url: String) async throws -> (status: Int, body: String) {
    try await runBlocking {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-w", "\n%{http_code}", "--max-time", "5", url]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.last ?? "") ?? 0
        return (status, lines.dropLast().joined(separator: "\n"))
    }
}
