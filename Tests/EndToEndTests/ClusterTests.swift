import Foundation
import NewswireTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The PostgreSQL server of `scripts/with-postgres` (`scripts/test` runs the suite under it).
private let postgresURL = ProcessInfo.processInfo.environment["NEWSWIRE_TEST_POSTGRES"]

/// Several real `newswire watch` workers sharing one PostgreSQL state store, against local
/// sites on three hosts: they share the hosts by leases, write each story once between them
/// (one story is listed by feeds on two hosts), and a worker killed with SIGKILL has its hosts
/// taken over.
@Suite(
    .serialized,
    .enabled(if: postgresURL != nil, "NEWSWIRE_TEST_POSTGRES is not set: run under scripts/with-postgres")
)
struct ClusterTests {
    private static let lease = 3

    /// Three sites (three hosts), two feeds of three stories each; the first feed of each site
    /// also lists the first story of the next site.
    private func makeSites() async throws -> [TestSite] {
        var sites: [TestSite] = []
        for _ in 0..<3 {
            let site = try TestSite()
            _ = try await site.start()
            sites.append(site)
        }
        for (index, site) in sites.enumerated() {
            self.publish(on: site, index: index, stories: 3, next: sites[(index + 1) % sites.count])
        }
        return sites
    }

    /// (Re)publishes the feeds of site `index` with `stories` stories each.
    private func publish(on site: TestSite, index: Int, stories: Int, next: TestSite) {
        for feed in 0..<2 {
            let name = "desk\(index)-\(feed)"
            var links: [String] = []
            for story in 0..<stories {
                let path = "/\(name)/story-\(story).html"
                site.route(
                    path,
                    .init(
                        contentType: "text/html",
                        body: InventedNews.page("\(name) story \(story)", seed: 1000 * index + 100 * feed + story)
                    )
                )
                links.append(site.baseURL + path)
            }
            var extra = ""
            if feed == 0 {
                let shared = next.baseURL + "/desk\((index + 1) % 3)-0/story-0.html"
                extra = "<item><title>From a neighbour</title><link>\(shared)</link></item>"
            }
            site.route(
                "/\(name).xml",
                .init(
                    contentType: "application/rss+xml",
                    body: InventedNews.feed(name, base: site.baseURL, links: links, extraItems: extra)
                )
            )
        }
    }

    private func writePipeline(
        _ folder: URL,
        worker: Int,
        feeds: [String],
        schema: String,
        output: String? = nil,
        listen: String = "off"
    ) throws -> URL {
        let file = folder.appendingPathComponent("worker\(worker).yaml")
        let text = """
            name: cluster
            feeds:
            \(feeds.map { "  - \($0)" }.joined(separator: "\n"))
            allow_networks: [127.0.0.0/8]
            output: \(output ?? "out/worker\(worker).ndjson")
            errors: out/worker\(worker).errors.ndjson
            state: \(postgresURL ?? "")?schema=\(schema)
            entities: false
            watch:
              min_interval: 1s
              max_interval: 1s
              failure_backoff: 1s
              jitter: 0
              drain_s: 5
              listen: \(listen)
              lease_s: \(Self.lease)
            """
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    private func launch(_ pipeline: URL, log: URL) throws -> Process {
        let process = Process()
        process.executableURL = Repository.newswireBinary
        process.arguments = ["watch", pipeline.path, "--log-level", "info"]
        if !FileManager.default.fileExists(atPath: log.path) {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardError = handle
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Every article URL written by any worker, with how many times.
    private func written(_ folder: URL) -> [String: Int] {
        var counts: [String: Int] = [:]
        for worker in 0..<2 {
            for line in lines(of: folder.appendingPathComponent("out/worker\(worker).ndjson")) {
                guard let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    let url = record["url"] as? String
                else { continue }
                counts[url, default: 0] += 1
            }
        }
        return counts
    }

    /// `status --json`: the workers and the hosts each holds.
    private func workers(_ pipeline: URL) async throws -> [[String: Any]] {
        let status = try await runNewswire(["status", pipeline.path, "--json"])
        #expect(status.status == 0, "\(status.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        return report?["workers"] as? [[String: Any]] ?? []
    }

    @Test func twoWorkersShareTheHostsWriteEachStoryOnceAndTakeOverFromAKilledOne() async throws {
        let sites = try await self.makeSites()
        defer { Task { for site in sites { await site.stop() } } }
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let schema = "cluster_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let feeds = sites.enumerated().flatMap { index, site in
            (0..<2).map { site.baseURL + "/desk\(index)-\($0).xml" }
        }
        let listen = "127.0.0.1:\(try freeLoopbackPort())"
        let pipelines = try (0..<2).map {
            try self.writePipeline(folder, worker: $0, feeds: feeds, schema: schema, listen: $0 == 0 ? listen : "off")
        }
        let logs = (0..<2).map { folder.appendingPathComponent("worker\($0).log") }
        var processes = try (0..<2).map { try self.launch(pipelines[$0], log: logs[$0]) }
        defer { for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        // 3 sites × 2 feeds × 3 stories, the shared stories among them.
        try await waitFor("every story once", timeout: 30) { self.written(folder).count == 18 }
        // The first worker's endpoint: healthy, with its lease gauges labelled by worker.
        #expect(try await httpGet("http://\(listen)/healthz").status == 200)
        let metrics = try await httpGet("http://\(listen)/metrics").body
        #expect(metrics.contains("newswire_worker_hosts{worker=\""), "\(metrics)")
        #expect(metrics.contains("newswire_workers_live{worker=\""))
        // Within a few lease rounds the two workers hold the hosts between them.
        let shared = try await waitFor("both workers holding hosts", timeout: 20) {
            let held = (try? await self.workers(pipelines[0]))?.compactMap { $0["hosts"] as? Int } ?? []
            return held.filter { $0 > 0 }.count == 2 && held.reduce(0, +) == 3
        }
        #expect(shared)

        // Kill the worker that holds one host; new stories on every site reach the survivor.
        let before = try await self.workers(pipelines[0])
        let victim = before.first { ($0["hosts"] as? Int) == 1 }?["description"] as? String ?? ""
        let index = processes.firstIndex { victim.hasSuffix("pid \($0.processIdentifier)") } ?? 0
        kill(processes[index].processIdentifier, SIGKILL)
        processes[index].waitUntilExit()
        let killedAt = ContinuousClock.now
        for (number, site) in sites.enumerated() {
            self.publish(on: site, index: number, stories: 4, next: sites[(number + 1) % sites.count])
        }
        try await waitFor("the new stories, from the survivor", timeout: 30) { self.written(folder).count == 24 }
        let takeover = ContinuousClock.now - killedAt
        // A lapsed lease is taken within a lease and a round; the feeds are then polled at once.
        #expect(takeover < .seconds(2 * Self.lease + 2), "took \(takeover)")
        let survivor = processes[1 - index]
        #expect(survivor.isRunning)

        // A restarted worker takes its share back; then a clean stop gives every lease back.
        processes[index] = try self.launch(pipelines[index], log: logs[index])
        try await waitFor("the restarted worker holding hosts", timeout: 20) {
            let held = (try? await self.workers(pipelines[0]))?.compactMap { $0["hosts"] as? Int } ?? []
            return held.filter { $0 > 0 }.count == 2
        }
        for process in processes { kill(process.processIdentifier, SIGTERM) }
        let running = processes
        _ = try await waitFor("clean exits", timeout: 20) { running.allSatisfy { !$0.isRunning } }
        for process in processes { #expect(process.terminationStatus == 0) }
        let counts = self.written(folder)
        #expect(counts.count == 24)
        #expect(counts.values.allSatisfy { $0 == 1 }, "\(counts.filter { $0.value > 1 })")
        let after = try await self.workers(pipelines[0])
        #expect(after.allSatisfy { ($0["hosts"] as? Int) == 0 })
    }

    /// Two workers publishing to Kafka through the shared outbox, killed with SIGKILL in
    /// turn while the sites publish: a read_committed consumer reads every story once.
    @Test func workersKilledInTurnPublishEveryStoryToKafkaOnce() async throws {
        let kafka = try MockKafka()
        let sites = try await self.makeSites()
        defer { Task { for site in sites { await site.stop() } } }
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let schema = "kafka_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let feeds = sites.enumerated().flatMap { index, site in
            (0..<2).map { site.baseURL + "/desk\(index)-\($0).xml" }
        }
        let output = "kafka://\(kafka.bootstrap)/stories"
        let pipelines = try (0..<2).map {
            try self.writePipeline(folder, worker: $0, feeds: feeds, schema: schema, output: output)
        }
        let logs = (0..<2).map { folder.appendingPathComponent("worker\($0).log") }
        var processes = try (0..<2).map { try self.launch(pipelines[$0], log: logs[$0]) }
        defer { for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        // Four rounds: more stories on every site, then one worker killed and restarted.
        for round in 0..<4 {
            for (number, site) in sites.enumerated() {
                self.publish(on: site, index: number, stories: 3 + round, next: sites[(number + 1) % sites.count])
            }
            try await Task.sleep(for: .milliseconds(1500))
            let victim = round % 2
            kill(processes[victim].processIdentifier, SIGKILL)
            processes[victim].waitUntilExit()
            processes[victim] = try self.launch(pipelines[victim], log: logs[victim])
        }
        // 3 sites × 2 feeds × 6 stories.
        let expected = 36
        let status = try await runNewswire(["status", pipelines[0].path, "--json"])
        #expect(status.status == 0, "\(status.stderr)")
        _ = try await waitFor("every story stored and published", timeout: 40) {
            let report = try? await runNewswire(["status", pipelines[0].path, "--json"])
            guard let data = report?.stdout.data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let outbox = object["outbox"] as? [String: Any]
            else { return false }
            return object["seen_articles"] as? Int == expected && outbox["pending"] as? Int == 0
        }
        for process in processes { kill(process.processIdentifier, SIGTERM) }
        let running = processes
        _ = try await waitFor("clean exits", timeout: 20) { running.allSatisfy { !$0.isRunning } }
        for process in processes { #expect(process.terminationStatus == 0) }
        let records = try await kafka.consume("stories")
        var counts: [String: Int] = [:]
        for record in records {
            let object = try JSONSerialization.jsonObject(with: Data(record.value.utf8)) as? [String: Any]
            counts[object?["url"] as? String ?? "", default: 0] += 1
        }
        #expect(counts.count == expected)
        #expect(counts.values.allSatisfy { $0 == 1 }, "\(counts.filter { $0.value > 1 })")
    }

    /// A TCP proxy to the test server (a Python child process): killing it cuts the worker
    /// off its state store, starting it again on the same port brings the store back.
    private final class Proxy: @unchecked Sendable {
        // @unchecked: the process is replaced only by the test's own task.
        let port: UInt16
        private let target: (host: String, port: String)
        private var process: Process?

        init(to url: String) throws {
            let components = URLComponents(string: url)
            self.target = (components?.host ?? "127.0.0.1", String(components?.port ?? 5432))
            self.port = try freeLoopbackPort()
            try self.start()
        }

        func start() throws {
            let script = """
                import asyncio, sys
                async def pipe(reader, writer):
                    try:
                        while data := await reader.read(65536):
                            writer.write(data); await writer.drain()
                    finally:
                        writer.close()
                async def handle(reader, writer):
                    up_reader, up_writer = await asyncio.open_connection(sys.argv[2], int(sys.argv[3]))
                    await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer), return_exceptions=True)
                async def main():
                    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]), reuse_address=True)
                    print("ready", flush=True)
                    await server.serve_forever()
                asyncio.run(main())
                """
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", script, String(self.port), self.target.host, self.target.port]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            _ = out.fileHandleForReading.readData(ofLength: 5)
            self.process = process
        }

        func stop() {
            guard let process = self.process else { return }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            self.process = nil
        }

        deinit { self.stop() }
    }

    /// `/healthz` fails while the database does not answer, and recovers when it does.
    @Test func healthFailsWhileTheDatabaseIsUnreachable() async throws {
        let site = try TestSite()
        _ = try await site.start()
        defer { Task { await site.stop() } }
        let feed = InventedNews.addFeed("ferry", stories: 2, to: site, seed: 40)
        let proxy = try Proxy(to: postgresURL ?? "")
        var components = try #require(URLComponents(string: postgresURL ?? ""))
        components.port = Int(proxy.port)
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let listen = "127.0.0.1:\(try freeLoopbackPort())"
        let schema = "health_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let pipeline = folder.appendingPathComponent("health.yaml")
        try """
        feeds: [\(feed)]
        allow_networks: [127.0.0.0/8]
        output: out/articles.ndjson
        state: \(components.string ?? "")?schema=\(schema)
        entities: false
        watch: {min_interval: 1s, max_interval: 1s, listen: \(listen), lease_s: 3, drain_s: 5}
        """.write(to: pipeline, atomically: true, encoding: .utf8)
        let process = try self.launch(pipeline, log: folder.appendingPathComponent("worker.log"))
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let articles = folder.appendingPathComponent("out/articles.ndjson")
        try await waitFor("the feed's stories", timeout: 30) { lines(of: articles).count == 2 }
        #expect(try await httpGet("http://\(listen)/healthz").status == 200)
        proxy.stop()
        let failing = try await waitFor("an unhealthy answer", timeout: 15) {
            (try? await httpGet("http://\(listen)/healthz"))?.status == 503
        }
        #expect(failing)
        try proxy.start()
        let healthy = try await waitFor("a healthy answer again", timeout: 30) {
            (try? await httpGet("http://\(listen)/healthz"))?.status == 200
        }
        #expect(healthy)
        kill(process.processIdentifier, SIGTERM)
        _ = try await waitFor("a clean exit", timeout: 30) { !process.isRunning }
        #expect(lines(of: articles).count == 2)
    }
}
