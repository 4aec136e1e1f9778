import Foundation
import NewswireCore
import NewswirePipeline
import Testing

@Suite struct PipelineFileTests {
    private func parse(_ yaml: String, environment: [String: String] = [:]) throws -> PipelineConfiguration {
        try PipelineFile.parse(yaml, file: "test.yaml", folder: "/srv/pipelines", environment: environment)
    }

    @Test func readsTheMinimalFormOfDesignMD() throws {
        let configuration = try self.parse(
            """
            name: demo
            feeds:
              - http://127.0.0.1:8080/rss.xml
              - url: http://127.0.0.1:8080/atom.xml
                name: Demo Atom
            allow_networks: [127.0.0.0/8]
            output: out/articles.ndjson
            errors: out/errors.ndjson
            state: state/demo.sqlite
            """
        )
        #expect(configuration.name == "demo")
        #expect(
            configuration.feeds == [
                .init(url: "http://127.0.0.1:8080/rss.xml"),
                .init(url: "http://127.0.0.1:8080/atom.xml", name: "Demo Atom"),
            ]
        )
        #expect(configuration.allowNetworks == ["127.0.0.0/8"])
        #expect(configuration.output == "/srv/pipelines/out/articles.ndjson")
        #expect(configuration.errorsPath == "/srv/pipelines/out/errors.ndjson")
        #expect(configuration.state == "/srv/pipelines/state/demo.sqlite")
    }

    @Test func readsFetchAndDedupSettings() throws {
        let configuration = try self.parse(
            """
            feeds: [https://example.org/feed]
            output: "-"
            fetch:
              user_agent: test-agent/2
              timeout_s: 12.5
              connect_timeout_s: 3
              max_body_bytes: 100000
              max_redirects: 4
              max_connections_per_host: 2
            dedup:
              mode: drop
              window_days: 7
            """
        )
        #expect(configuration.output == "-")
        #expect(configuration.errorsPath == nil)
        #expect(configuration.fetch.userAgent == "test-agent/2")
        #expect(configuration.fetch.timeout == 12.5)
        #expect(configuration.fetch.connectTimeout == 3)
        #expect(configuration.fetch.maxBodyBytes == 100_000)
        #expect(configuration.fetch.maxRedirects == 4)
        #expect(configuration.fetch.maxConnectionsPerHost == 2)
        #expect(configuration.dedupMode == .drop)
        #expect(configuration.dedupWindowDays == 7)
    }

    @Test func errorsBesideAFileOutputByDefault() throws {
        let configuration = try self.parse("feeds: [https://example.org/feed]\noutput: /data/run.ndjson\n")
        #expect(configuration.errorsPath == "/data/run.errors.ndjson")
    }

    @Test func readsASharedStateAndABrokerOutput() throws {
        let configuration = try self.parse(
            """
            feeds: [https://example.org/feed]
            state: postgresql://newswire@127.0.0.1:5432/news
            output: kafka://127.0.0.1:9092,127.0.0.1:9093/articles
            watch:
              lease_s: 12
            """
        )
        #expect(configuration.sharedState == "postgresql://newswire@127.0.0.1:5432/news")
        #expect(configuration.brokerOutput == "kafka://127.0.0.1:9092,127.0.0.1:9093/articles")
        #expect(configuration.errorsPath == nil)
        #expect(configuration.watch.leaseSeconds == 12)
    }

    @Test func readsTheArchiveAsAFolderOrWithItsRotationSize() throws {
        let plain = try self.parse("feeds: [https://example.org/feed]\narchive: warc/\n")
        #expect(plain.archive == "/srv/pipelines/warc")
        #expect(plain.archiveRotateBytes == nil)
        let sized = try self.parse(
            """
            feeds: [https://example.org/feed]
            archive:
              dir: /data/warc
              rotate_bytes: 64MB
            """
        )
        #expect(sized.archive == "/data/warc")
        #expect(sized.archiveRotateBytes == 64_000_000)
        let counted = try self.parse("feeds: [https://example.org/feed]\narchive: {dir: w, rotate_bytes: 5000}\n")
        #expect(counted.archive == "/srv/pipelines/w")
        #expect(counted.archiveRotateBytes == 5000)
    }

    @Test func replacesEnvironmentVariables() throws {
        let configuration = try self.parse(
            "feeds: [\"${SITE}/rss.xml\"]\n",
            environment: ["SITE": "http://127.0.0.1:4567"]
        )
        #expect(configuration.feeds.first?.url == "http://127.0.0.1:4567/rss.xml")
    }

    @Test(
        arguments: [
            ("feeds: [https://a.example/f]\nfeds: []\n", 2, "unknown key 'feds'"),
            ("feeds:\n  - https://a.example/f\nfetch:\n  timeout_s: soon\n", 4, "'timeout_s' must be a number"),
            ("feeds:\n  - https://a.example/f\nfetch:\n  retries: 3\n", 4, "unknown key 'retries' in 'fetch'"),
            ("feeds:\n  - ftp://a.example/f\n", 2, "is not an http or https URL"),
            ("feeds: [https://a.example/f]\ndedup:\n  mode: merge\n", 3, "'mode' must be 'annotate' or 'drop'"),
            ("feeds: [https://a.example/f]\nallow_networks: [10.0.0.0/33]\n", 2, "is not a CIDR block"),
            ("feeds: [\"${NOT_SET_ANYWHERE}/f\"]\n", 1, "environment variable 'NOT_SET_ANYWHERE' is not set"),
            ("name: nothing\n", 1, "names no feeds"),
            ("feeds: [https://a.example/f]\noutput: kafka://127.0.0.1:9092/news\n", 1, "needs 'state:'"),
            ("feeds: [https://a.example/f]\nstate: mysql://db/news\n", 1, "a file path or a postgresql:// URL"),
            ("feeds: [https://a.example/f\n", nil, "YAML"),
            ("feeds: [https://a.example/f]\narchive:\n  rotate_bytes: 1MB\n", 3, "'archive' needs 'dir:'"),
            (
                "feeds: [https://a.example/f]\narchive:\n  dir: w\n  rotate_bytes: big\n", 4,
                "'rotate_bytes' must be a size"
            ),
            (
                "feeds: [https://a.example/f]\narchive:\n  dir: w\n  rotate: 1MB\n", 4,
                "unknown key 'rotate' in 'archive'"
            ),
        ] as [(String, Int?, String)]
    )
    func rejectsBadFilesWithTheirLine(yaml: String, line: Int?, message: String) {
        do {
            _ = try self.parse(yaml)
            Issue.record("expected an error for \(yaml)")
        } catch let error as PipelineFileError {
            #expect(error.file == "test.yaml")
            if let line { #expect(error.line == line, "\(error)") }
            #expect(error.description.contains(message), "\(error)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func readsFeedsFromAnOPMLFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("opml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let opml = """
            <?xml version="1.0"?>
            <opml version="2.0"><head><title>Subscriptions</title></head><body>
              <outline text="News">
                <outline type="rss" text="Harbour Gazette" xmlUrl="https://gazette.example/rss"/>
                <outline type="rss" title="Valley Times" text="VT" xmlUrl="https://valley.example/atom.xml"/>
              </outline>
            </body></opml>
            """
        try opml.write(to: folder.appendingPathComponent("subs.opml"), atomically: true, encoding: .utf8)
        let yaml = "feeds: [https://first.example/feed]\nopml: subs.opml\n"
        try yaml.write(to: folder.appendingPathComponent("p.yaml"), atomically: true, encoding: .utf8)
        let configuration = try PipelineFile.load(path: folder.appendingPathComponent("p.yaml").path)
        var news = FeedSettings()
        news.tags = ["News"]
        #expect(
            configuration.feeds == [
                .init(url: "https://first.example/feed"),
                .init(url: "https://gazette.example/rss", name: "Harbour Gazette", settings: news),
                .init(url: "https://valley.example/atom.xml", name: "Valley Times", settings: news),
            ]
        )
    }

    @Test func cidrBlocksMatchAddresses() throws {
        let loopback = try #require(CIDR("127.0.0.0/8"))
        #expect(loopback.contains([127, 0, 0, 1]))
        #expect(!loopback.contains([128, 0, 0, 1]))
        let v6 = try #require(CIDR("::1/128"))
        #expect(v6.contains(Array(repeating: 0, count: 15) + [1]))
        #expect(CIDR("fd00::/8") != nil)
        #expect(CIDR("300.1.1.1/8") == nil)
    }
}
