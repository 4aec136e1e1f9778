import Foundation
import Logging
import NewswireCore
import NewswireEntities
import NewswireFetch
import NewswireMarkup
import NewswirePipeline
import NewswireTesting
import Testing

/// Paths and helpers shared by the end-to-end tests.
enum Repository {
    /// The package root, found from this file's place in `Tests/EndToEndTests`.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var demoSite: URL { self.root.appendingPathComponent("pipelines/demo-site") }

    /// The `newswire` executable built beside the test bundle.
    static var newswireBinary: URL {
        let candidates = [
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("newswire"),
            Bundle.main.bundleURL.appendingPathComponent("newswire"),
            self.root.appendingPathComponent(".build/debug/newswire"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[2]
    }

    /// `newswire-kafka-mock`, built beside `newswire`: librdkafka's mock cluster and a consumer.
    static var kafkaMockBinary: URL {
        self.newswireBinary.deletingLastPathComponent().appendingPathComponent("newswire-kafka-mock")
    }

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("newswire-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}

/// Process-wide set-up, done once before any test crawls.
let librariesInitialised: Bool = {
    Fetcher.initializeGlobalState()
    LibXML2.initialize()
    return true
}()

/// The shipped entity model, loaded once for all tests.
let entityTagger: EntityTagger? = try? EntityTagger.loadDefault()

/// Runs the real pipeline (libcurl, libxml2, queues, sink) for `configuration`.
func crawl(_ configuration: PipelineConfiguration) async throws -> CrawlSummary {
    _ = librariesInitialised
    let tagger = try #require(entityTagger, "the shipped entity model must load")
    let stages = PipelineStages(feedParser: FeedParser(), extractor: ArticleExtractor(), entities: tagger)
    var logger = Logger(label: "newswire.test")
    logger.logLevel = .critical
    let pipeline = CrawlPipeline(configuration: configuration, stages: stages, logger: logger)
    return try await runBlocking { try pipeline.run() }
}

/// The JSON objects of an NDJSON file.
func records(in file: URL) throws -> [[String: any Sendable]] {
    let text = try String(contentsOf: file, encoding: .utf8)
    return try text.split(separator: "\n").map { line in
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: any Sendable])
    }
}

/// Validates every line of `file` against `schemas/NAME` with Python's jsonschema
/// (scripts/validate-records); records an issue for each invalid line.
func expectValid(_ file: URL, schema name: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
        "python3", Repository.root.appendingPathComponent("scripts/validate-records").path,
        Repository.root.appendingPathComponent("schemas/\(name)").path, file.path,
    ]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "schema check of \(file.lastPathComponent) failed:\n\(output)")
}

/// Replaces what changes from run to run (the site's port, so the ids that hash URLs, and the
/// fetch and error times) with fixed text.
func normalised(_ text: String, base: String) -> String {
    var result = text.replacingOccurrences(of: base, with: "http://127.0.0.1:PORT")
    for field in ["fetched_at", "at", "id", "duplicate_of"] {
        let pattern = "\"\(field)\":\"[0-9a-fT:Z-]+\""
        if let regex = try? NSRegularExpression(pattern: pattern) {
            result = regex.stringByReplacingMatches(
                in: result,
                range: NSRange(result.startIndex..., in: result),
                withTemplate: "\"\(field)\":\"\(field.uppercased())\""
            )
        }
    }
    return result
}

/// The result of running the `newswire` executable.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the real `newswire` binary with `arguments`, off the cooperative pool, writing
/// `standardInput` (when given) to its standard input.
func runNewswire(
    _ arguments: [String],
    environment: [String: String] = [:],
    standardInput: String? = nil,
    wrapper: [String] = []
) async throws -> ProcessResult {
    try await runBlocking {
        let process = Process()
        if let launcher = wrapper.first {
            // A command that runs the binary (such as /usr/bin/time).
            process.executableURL = URL(fileURLWithPath: launcher)
            process.arguments = Array(wrapper.dropFirst()) + [Repository.newswireBinary.path] + arguments
        } else {
            process.executableURL = Repository.newswireBinary
            process.arguments = arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        if standardInput != nil { process.standardInput = input }
        try process.run()
        if let standardInput {
            // Written from another thread so that a large output cannot block both sides.
            let writer = Thread {
                input.fileHandleForWriting.write(Data(standardInput.utf8))
                try? input.fileHandleForWriting.close()
            }
            writer.start()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus,
            stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self)
        )
    }
}

/// Invented news for the tests: pages and feeds of stories that exist nowhere else.
enum InventedNews {
    private static let words: [String] = {
        let syllables = ["ka", "lo", "mi", "ren", "dus", "tor", "vel", "am", "shi", "bro", "nex", "pol", "ur", "zan"]
        var words: [String] = []
        for first in syllables {
            for second in syllables where second != first { words.append(first + second) }
        }
        return words
    }()

    /// `count` paragraphs of invented text, different for each `seed`.
    static func paragraphs(_ seed: Int, count: Int = 4) -> [String] {
        var state = UInt64(truncatingIfNeeded: seed) &* 0x9e37_79b9_7f4a_7c15 &+ 7
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        return (0..<count).map { _ in
            (0..<30).map { _ in Self.words[next() % Self.words.count] }.joined(separator: " ") + "."
        }
    }

    /// An article page.
    static func page(_ title: String, seed: Int) -> String {
        """
        <html><head><meta charset="utf-8"><title>\(title)</title></head><body>
        <article><h1>\(title)</h1>\(Self.paragraphs(seed).map { "<p>\($0)</p>" }.joined(separator: "\n"))</article>
        </body></html>
        """
    }

    /// An RSS feed whose items link to `links` (absolute), each with a short description.
    static func feed(_ name: String, base: String, links: [String], extraItems: String = "") -> String {
        let items = links.enumerated().map { index, link in
            "<item><title>\(name) story \(index)</title><link>\(link)</link>"
                + "<description>A short teaser.</description></item>"
        }.joined(separator: "\n")
        return """
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
            <channel><title>\(name)</title><link>\(base)/</link>
            \(items)
            \(extraItems)
            </channel></rss>
            """
    }

    /// Serves a feed at `/NAME.xml` with `count` stories under `/NAME/story-N.html`.
    @discardableResult
    static func addFeed(_ name: String, stories count: Int, to site: TestSite, seed: Int = 0) -> String {
        let base = site.baseURL
        var links: [String] = []
        for index in 0..<count {
            let path = "/\(name)/story-\(index).html"
            site.route(
                path,
                .init(contentType: "text/html", body: Self.page("\(name) story \(index)", seed: seed + index))
            )
            links.append(base + path)
        }
        site.route(
            "/\(name).xml",
            .init(contentType: "application/rss+xml", body: Self.feed(name, base: base, links: links))
        )
        return base + "/\(name).xml"
    }
}

/// Lines of a text file (empty when it does not exist).
func lines(of file: URL) -> [String] {
    guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
    return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
}
