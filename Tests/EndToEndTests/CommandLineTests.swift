import Foundation
import NewswireTesting
import Testing

/// Runs the real `newswire` executable: arguments, exit status, summary.
@Suite struct CommandLineTests {
    @Test func crawlsFeedURLsToStandardOutput() async throws {
        let site = try TestSite(root: Repository.demoSite)
        let base = try await site.start()
        let result = try await runNewswire([
            "crawl", base + "/atom.xml", "--output", "-", "--no-progress", "--allow-network", "127.0.0.0/8",
        ])
        await site.stop()
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(result.stderr.contains("feeds 1 ok, 0 failed"))
        #expect(result.stderr.contains("articles 3"))
    }

    @Test func extractsOnePageFromAURL() async throws {
        let site = try TestSite(root: Repository.demoSite)
        let base = try await site.start()
        let result = try await runNewswire([
            "extract", base + "/articles/rail-strike-called-off.html", "--allow-network", "127.0.0.0/8",
        ])
        await site.stop()
        #expect(result.status == 0, "\(result.stderr)")
        let record = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: any Sendable]
        )
        #expect(record["title"] as? String == "Rail strike called off after overnight talks")
        #expect(record["url"] as? String == base + "/articles/rail-strike-called-off.html")
        #expect((record["text"] as? String)?.hasPrefix("A 48-hour strike on the Kestrel Valley Railway") == true)
        #expect(record["fetched_at"] is String)
        let entities = try #require(record["entities"] as? [[String: any Sendable]])
        #expect(entities.contains { $0["text"] as? String == "Kwame Mensah" && $0["type"] as? String == "PER" })
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("one.ndjson")
        try result.stdout.write(to: file, atomically: true, encoding: .utf8)
        try expectValid(file, schema: "article.schema.json")
    }

    @Test func tagsEntitiesInTextFromStandardInput() async throws {
        let text = """
            Maribel Ostrander, the mayor of Tallowbridge, met officials of the Northfield Harbour \
            Authority (NHA) on Monday. Ostrander said the NHA would publish its plan in Lisbon.
            """
        let result = try await runNewswire(["entities", "-"], standardInput: text)
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: any Sendable]
        )
        let entities = try #require(document["entities"] as? [[String: any Sendable]])
        let person = try #require(entities.first { $0["text"] as? String == "Maribel Ostrander" })
        #expect(person["type"] as? String == "PER")
        #expect(person["count"] as? Int == 2)
        let authority = try #require(entities.first { $0["text"] as? String == "Northfield Harbour Authority" })
        #expect(authority["type"] as? String == "ORG")
        #expect((authority["aliases"] as? [String])?.contains("NHA") == true)
        #expect(entities.contains { $0["text"] as? String == "Lisbon" && $0["type"] as? String == "LOC" })
    }

    @Test func tagsTheTokensOfACoNLLFile() async throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("tokens.conll")
        try
            "-DOCSTART- -X- O O\n\nJuniper NNP B-NP O\nAdeyemi NNP I-NP O\nvisited VBD B-VP O\nOslo NNP B-NP O\n. . O O\n\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let result = try await runNewswire(["entities", "--conll", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The blank line after -DOCSTART- and after the sentence are kept, so lines match up.
        #expect(
            Array(lines.prefix(8))
                == ["-DOCSTART- O", "", "Juniper B-PER", "Adeyemi I-PER", "visited O", "Oslo B-LOC", ". O", ""]
        )
    }

    @Test func parsesOneFeedFromAURL() async throws {
        let site = try TestSite(root: Repository.demoSite)
        let base = try await site.start()
        let result = try await runNewswire(["feed", base + "/latin1.xml", "--allow-network", "127.0.0.0/8"])
        await site.stop()
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: any Sendable]
        )
        #expect(document["format"] as? String == "rss2.0")
        let feed = try #require(document["feed"] as? [String: any Sendable])
        #expect(feed["title"] as? String == "Courier em Português: Histórias de São Brás")
        let entries = try #require(document["entries"] as? [[String: any Sendable]])
        #expect(entries.first?["link"] as? String == base + "/articles/cafe-sao-bras.html")
        #expect(entries.first?["published"] as? String == "2026-11-16T09:00:00Z")
    }

    @Test func aMissingPageIsAClearError() async throws {
        let site = try TestSite(root: Repository.demoSite)
        let base = try await site.start()
        let result = try await runNewswire([
            "extract", base + "/articles/budget-leak.html", "--allow-network", "127.0.0.0/8",
        ])
        await site.stop()
        #expect(result.status != 0)
        #expect(result.stderr.contains("HTTP 404"))
    }

    @Test func crawlsTheFeedsOfAnOPMLFile() async throws {
        let site = try TestSite(root: Repository.demoSite)
        let base = try await site.start()
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let opml = folder.appendingPathComponent("subscriptions.opml")
        try """
        <?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head><body>
        <outline text="Courier"><outline type="rss" text="Latest" xmlUrl="\(base)/atom.xml"/>
        <outline type="rss" text="São Brás" xmlUrl="\(base)/latin1.xml"/></outline></body></opml>
        """.write(to: opml, atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("out.ndjson")
        let result = try await runNewswire([
            "crawl", opml.path, "--output", output.path, "--no-progress", "--allow-network", "127.0.0.0/8",
        ])
        await site.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("feeds 2 ok, 0 failed"))
        #expect(try records(in: output).count == 4)
    }

    @Test func everyFeedFailingExitsNonZero() async throws {
        let result = try await runNewswire([
            "crawl", "http://127.0.0.1:9/none.xml", "--no-progress", "--allow-network", "127.0.0.1/32",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("feeds 0 ok, 1 failed"))
        #expect(result.stdout.isEmpty)
    }

    @Test func aBadPipelineFileNamesTheLine() async throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("bad.yaml")
        try "name: x\nfeeds:\n  - https://example.org/feed\nfetch:\n  timeout: 3\n".write(
            to: file,
            atomically: true,
            encoding: .utf8
        )
        let result = try await runNewswire(["crawl", file.path])
        #expect(result.status == 64)
        #expect(result.stderr.contains("bad.yaml:5:3: unknown key 'timeout' in 'fetch'"), "\(result.stderr)")
    }

    @Test func badArgumentsExitNonZero() async throws {
        let result = try await runNewswire(["crawl", "https://example.org/feed", "--allow-network", "not-a-cidr"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("not a CIDR block"))
    }

    @Test func printsVersionAndHelp() async throws {
        let version = try await runNewswire(["--version"])
        #expect(version.status == 0)
        #expect(!version.stdout.isEmpty)
        let help = try await runNewswire(["crawl", "--help"])
        #expect(help.stdout.contains("Examples:"))
    }
}
