import Foundation
import NewswireCore
import NewswirePipeline
import NewswireTesting
import Testing

/// Per-feed request settings, item limits, filters and tags, against a local site.
@Suite struct FeedSettingsTests {
    private static let password = "s3cret-Pa55-\(UUID().uuidString.prefix(8))"

    private func load(_ yaml: String, folder: URL, environment: [String: String] = [:]) throws -> PipelineConfiguration
    {
        let path = folder.appendingPathComponent("pipeline.yaml")
        try yaml.write(to: path, atomically: true, encoding: .utf8)
        return try PipelineFile.load(path: path.path, environment: environment)
    }

    /// A feed at `/NAME.xml` with `count` stories, feed and pages guarded by `headers`.
    private func guardedFeed(_ name: String, _ headers: [String: String], site: TestSite, seed: Int) {
        let feed = InventedNews.addFeed(name, stories: 2, to: site, seed: seed)
        site.require(headers, at: URL(string: feed)!.path)
        for index in 0..<2 { site.require(headers, at: "/\(name)/story-\(index).html") }
    }

    @Test func requestSettingsOpenGuardedFeedsAndSecretsStayHidden() async throws {
        let site = try TestSite()
        let base = try await site.start()
        let basic = "Basic " + Data("reader:\(Self.password)".utf8).base64EncodedString()
        self.guardedFeed("agent", ["User-Agent": "walrus-reader/2.0"], site: site, seed: 1400)
        self.guardedFeed("keyed", ["X-Api-Key": "k-77"], site: site, seed: 1410)
        self.guardedFeed("cookie", ["Cookie": "consent=yes"], site: site, seed: 1420)
        self.guardedFeed("basic", ["Authorization": basic], site: site, seed: 1430)
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let yaml = """
            name: guarded
            feeds:
              - url: \(base)/agent.xml
                user_agent: walrus-reader/2.0
              - url: \(base)/keyed.xml
                headers: {X-Api-Key: "${NW_KEY}"}
              - url: \(base)/cookie.xml
                cookies: "consent=yes"
              - url: \(base)/basic.xml
                auth: {user: reader, password: "${NW_PASSWORD}"}
            allow_networks: [127.0.0.0/8]
            entities: false
            output: out/articles.ndjson
            state: out/state.sqlite
            """
        let environment = ["NW_KEY": "k-77", "NW_PASSWORD": Self.password]
        let summary = try await crawl(try self.load(yaml, folder: folder, environment: environment))
        #expect(summary.feedsOK == 4 && summary.articles == 8 && summary.errors == 0)

        // Without the settings every feed is refused.
        let bare = yaml.components(separatedBy: "\n").filter {
            !$0.contains("user_agent") && !$0.contains("headers") && !$0.contains("cookies") && !$0.contains("auth")
        }.joined(separator: "\n").replacingOccurrences(of: "out/", with: "bare/")
        let refused = try await crawl(try self.load(bare, folder: folder, environment: environment))
        #expect(refused.feedsFailed == 4)

        // The real binary, logging everything: the password is nowhere.
        try yaml.replacingOccurrences(of: "out/", with: "binary/").write(
            to: folder.appendingPathComponent("binary.yaml"),
            atomically: true,
            encoding: .utf8
        )
        let result = try await runNewswire(
            ["crawl", folder.appendingPathComponent("binary.yaml").path, "--log-level", "trace", "--no-progress"],
            environment: environment
        )
        await site.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("articles 8"))
        for text in [result.stdout, result.stderr] { #expect(!text.contains(Self.password)) }
        for name in ["out", "bare", "binary"] {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(name).path))
                ?? []
            where file.hasSuffix(".ndjson") {
                let text = try String(contentsOf: folder.appendingPathComponent("\(name)/\(file)"), encoding: .utf8)
                #expect(!text.contains(Self.password))
            }
        }
    }

    private func datedFeed(_ name: String, count: Int, site: TestSite, now: Date) -> String {
        var items: [String] = []
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        for index in 0..<count {
            let path = "/\(name)/item-\(index).html"
            site.route(
                path,
                .init(contentType: "text/html", body: InventedNews.page("\(name) item \(index)", seed: 2000 + index))
            )
            // Item i is i hours old; the feed lists them oldest first.
            let date = formatter.string(from: now.addingTimeInterval(-Double(index) * 3600))
            items.append(
                "<item><title>\(name) item \(index)</title><link>\(site.baseURL)\(path)</link><pubDate>\(date)</pubDate></item>"
            )
        }
        let feed = """
            <?xml version="1.0"?><rss version="2.0"><channel><title>\(name)</title>
            \(items.reversed().joined(separator: "\n"))
            </channel></rss>
            """
        site.route("/\(name).xml", .init(contentType: "application/rss+xml", body: feed))
        return site.baseURL + "/\(name).xml"
    }

    @Test func maxItemsAndSinceSkipItemsBeforeAnyPageIsFetched() async throws {
        let site = try TestSite()
        try await site.start()
        let now = Date()
        let many = self.datedFeed("many", count: 200, site: site, now: now)
        let recent = self.datedFeed("recent", count: 10, site: site, now: now)
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let yaml = """
            feeds:
              - url: \(many)
                max_items: 5
              - url: \(recent)
                since: 4h30m
            allow_networks: [127.0.0.0/8]
            entities: false
            output: out/articles.ndjson
            """
        await #expect(throws: PipelineFileError.self) { _ = try self.load(yaml, folder: folder) }
        let summary = try await crawl(
            try self.load(yaml.replacingOccurrences(of: "4h30m", with: "270m"), folder: folder)
        )
        await site.stop()
        #expect(summary.articles == 5 + 5)
        #expect(summary.filtered == 195 + 5)
        let titles = try records(in: folder.appendingPathComponent("out/articles.ndjson")).compactMap {
            $0["title"] as? String
        }
        #expect(titles.filter { $0.hasPrefix("many") } == (0..<5).reversed().map { "many item \($0)" })
        #expect(titles.filter { $0.hasPrefix("recent") } == (0..<5).reversed().map { "recent item \($0)" })
        let pages = site.requests.filter { $0.hasSuffix(".html") }
        #expect(pages.count == 10)
        #expect(!pages.contains("/recent/item-7.html") && !pages.contains("/many/item-5.html"))
    }

    @Test func keepDropRulesAndTags() async throws {
        let site = try TestSite()
        let base = try await site.start()
        let titles = [
            "Harbour cranes arrive in Velmora", "Watch: harbour fireworks", "Council debates the harbour budget",
            "Sponsored: the best harbour cruises", "Tram timetable changes",
        ]
        var items: [String] = []
        for (index, title) in titles.enumerated() {
            let path = index == 3 ? "/sponsored/\(index).html" : "/news/\(index).html"
            site.route(path, .init(contentType: "text/html", body: InventedNews.page(title, seed: 3000 + index)))
            items.append("<item><title>\(title)</title><link>\(base)\(path)</link></item>")
        }
        site.route(
            "/harbour.xml",
            .init(
                contentType: "application/rss+xml",
                body: "<rss version=\"2.0\"><channel><title>H</title>\(items.joined())</channel></rss>"
            )
        )
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let yaml = """
            feeds:
              - url: \(base)/harbour.xml
                keep: {title: [harbour]}
                drop: {title: ["/^Watch:/"], url: [sponsored]}
                tags: [politics, wire]
            tags: [morning]
            allow_networks: [127.0.0.0/8]
            entities: false
            output: out/articles.ndjson
            """
        let summary = try await crawl(try self.load(yaml, folder: folder))
        await site.stop()
        let output = folder.appendingPathComponent("out/articles.ndjson")
        let articles = try records(in: output)
        #expect(articles.compactMap { $0["title"] as? String } == [titles[0], titles[2]])
        #expect(articles.allSatisfy { $0["feed_tags"] as? [String] == ["morning", "politics", "wire"] })
        #expect(summary.filtered == 3 && summary.errors == 0)
        #expect(!site.requests.contains("/sponsored/3.html") && !site.requests.contains("/news/1.html"))
        try expectValid(output, schema: "article.schema.json")

        let invalid = yaml.replacingOccurrences(of: "\"/^Watch:/\"", with: "\"/([unclosed/\"")
        #expect {
            _ = try self.load(invalid, folder: folder)
        } throws: { error in
            "\(error)".contains("pipeline.yaml:4:") && "\(error)".contains("not a valid regular expression")
        }
    }

    @Test func commandLineSettingsAndAFeedListOnStandardInput() async throws {
        let site = try TestSite()
        let base = try await site.start()
        let now = Date()
        let first = self.datedFeed("first", count: 4, site: site, now: now)
        let second = self.datedFeed("second", count: 4, site: site, now: now)
        site.require(["X-Team": "night-desk", "User-Agent": "desk/3"], at: "/second.xml")
        let result = try await runNewswire(
            [
                "crawl", "--feeds", "-", "--max-items", "2", "--tag", "desk", "--header", "X-Team: night-desk",
                "--user-agent", "desk/3", "--no-entities", "--no-progress", "-o", "-", "--allow-network", "127.0.0.0/8",
            ],
            standardInput: "# my feeds\n\(first)\n\n\(second) tagged-in-newsboat\n"
        )
        await site.stop()
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines.allSatisfy { $0.contains("\"feed_tags\":[\"desk\"]") })
        #expect(result.stderr.contains("filtered 4"))
        _ = base
    }
}
