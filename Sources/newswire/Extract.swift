import ArgumentParser
import Foundation
import Logging
import NewswireCore
import NewswireDedup
import NewswireEntities
import NewswireFetch
import NewswireMarkup
import NewswirePipeline

#if canImport(Glibc)
import Glibc
#endif

/// `newswire extract`: one saved page to one article record, or many pages with `--batch`.
struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Extracts the article (text and metadata) from HTML pages.",
        discussion: """
            Examples:
              newswire extract page.html --url https://example.org/story
              newswire extract --batch pages/ --output predictions.json
              newswire extract --batch list.txt --output out.ndjson --format ndjson --jobs 1
            """
    )

    @OptionGroup var network: NetworkOptions

    @OptionGroup var global: GlobalOptions

    @Argument(help: "An HTML file (.html or .html.gz) to extract one article record from.")
    var input: String?

    @Option(help: "The page's URL, for resolving relative links and URL dates.")
    var url: String?

    @Option(help: "Extract every page of a directory (.html/.html.gz, or an html/ folder of them) or of a list file.")
    var batch: String?

    @Option(help: "Where --batch writes its output.")
    var output: String?

    @Option(help: "Output of --batch: json (one object keyed by page id) or ndjson (one record a line).")
    var format: BatchFormat = .json

    @Option(help: "Pages extracted at once with --batch (default: the number of cores).")
    var jobs: Int?

    @Option(help: .hidden)
    var benchmarkRounds: Int?

    /// Runs one part of the benchmark only (`load`, `bare`, `extract`, `stage0`…`stage2`),
    /// so that `perf stat` can count its instructions whatever the machine's load.
    @Option(help: .hidden)
    var benchmarkOnly: String?

    func validate() throws {
        if self.batch == nil && self.input == nil {
            throw ValidationError("give a page to extract, or --batch DIR-or-LIST --output FILE")
        }
        if self.batch != nil && self.input != nil {
            throw ValidationError("give either a page or --batch, not both")
        }
        if self.batch != nil && self.output == nil && self.benchmarkRounds == nil {
            throw ValidationError("--batch needs --output FILE")
        }
        if let jobs = self.jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        let logger = self.global.bootstrap()
        if let batch = self.batch {
            let pages = try BatchPage.pages(in: batch)
            if let rounds = self.benchmarkRounds {
                ExtractionBenchmark(pages: pages, rounds: rounds, only: self.benchmarkOnly).run()
                return
            }
            let jobs = self.jobs ?? ProcessInfo.processInfo.activeProcessorCount
            let path = self.output ?? "-"
            let handle: FileHandle
            if path == "-" {
                handle = FileHandle.standardOutput
            } else {
                guard FileManager.default.createFile(atPath: path, contents: nil),
                    let file = FileHandle(forWritingAtPath: path)
                else {
                    throw inputFailure("cannot write \(path)")
                }
                handle = file
            }
            let start = Date()
            let failures = BatchExtraction(jobs: jobs, format: self.format).run(pages) { bytes in
                handle.write(Data(bytes))
            }
            if path != "-" { try handle.close() }
            let seconds = Date().timeIntervalSince(start)
            logger.notice(
                "extracted",
                metadata: [
                    "pages": "\(pages.count)", "failed": "\(failures)", "seconds": "\(seconds)",
                    "pages_per_second": "\(Double(pages.count) / max(seconds, 1e-9))",
                ]
            )
            return
        }
        guard let input = self.input else { return }
        let document: FetchedDocument
        let fromNetwork = WebURL.isWeb(input)
        if fromNetwork {
            document = try fetchOnce(input, network: self.network)
        } else {
            let bytes = try readInputFile(input, read: PageFile.read)
            document = FetchedDocument(
                requestedURL: self.url ?? URL(fileURLWithPath: input).absoluteString,
                body: bytes
            )
        }
        let page = try ArticleExtractor().extractArticle(from: document)
        var (article, _) = ArticleAssembler().assemble(document: document, page: page, now: document.fetchedAt)
        article.id = ArticleIdentity.id(forCanonicalURL: article.url)
        article.revision = 1
        // A saved file has no fetch time of its own.
        article.fetchedAt = fromNetwork ? document.fetchedAt : nil
        if let tagger = try? EntityTagger.loadDefault() {
            article.entities = tagger.extractEntities(title: article.title, text: article.text)
        }
        print(article.jsonLine)
    }
}

extension BatchFormat: ExpressibleByArgument {}

/// Times the extractor and libxml2's bare htmlReadMemory over the same pages on one core.
///
/// Times are the CPU time of the benchmark's thread (CLOCK_THREAD_CPUTIME_ID), best of the
/// rounds, so that other processes on a shared machine do not count against either side.
struct ExtractionBenchmark {
    static func cpuSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    let pages: [BatchPage]
    let rounds: Int
    let only: String?

    func run() {
        var bodies: [[UInt8]] = []
        for page in self.pages {
            if let bytes = try? PageFile.read(page.path) { bodies.append(bytes) }
        }
        let megabytes = Double(bodies.reduce(0) { $0 + $1.count }) / 1_000_000
        let extractor = ArticleExtractor()
        let documents = bodies.map { FetchedDocument(requestedURL: "file:///benchmark", body: $0) }
        if let only = self.only {
            for _ in 0..<max(1, self.rounds) {
                switch only {
                case "bare": for body in bodies { _ = BareHTMLParser.parseAndFree(body) }
                case "extract": for document in documents { _ = try? extractor.extractArticle(from: document) }
                case "stage0", "stage1", "stage2":
                    let stage = Int(String(only.last!))!
                    for document in documents { extractor.runStages(upTo: stage, of: document) }
                default: break
                }
            }
            return
        }
        var bareBest = Double.infinity
        var extractBest = Double.infinity
        for _ in 0..<max(1, self.rounds) {
            var start = Self.cpuSeconds()
            for body in bodies { _ = BareHTMLParser.parseAndFree(body) }
            bareBest = min(bareBest, Self.cpuSeconds() - start)
            start = Self.cpuSeconds()
            for document in documents { _ = try? extractor.extractArticle(from: document) }
            extractBest = min(extractBest, Self.cpuSeconds() - start)
        }
        var stageBest = [Double](repeating: .infinity, count: 3)
        for _ in 0..<max(1, self.rounds) {
            for stage in 0..<3 {
                let start = Self.cpuSeconds()
                for document in documents { extractor.runStages(upTo: stage, of: document) }
                stageBest[stage] = min(stageBest[stage], Self.cpuSeconds() - start)
            }
        }
        let count = Double(bodies.count)
        for (stage, name) in ["charset decode", "+ parse and index", "+ metadata"].enumerated() {
            print(String(format: "  stages to %@: %.2f ms/page", name, 1000 * stageBest[stage] / count))
        }
        print(
            String(
                format: "  bare parse: %.2f ms/page, full extraction: %.2f ms/page",
                1000 * bareBest / count,
                1000 * extractBest / count
            )
        )
        print(
            "pages: \(bodies.count), \(String(format: "%.1f", megabytes)) MB, best of \(max(1, self.rounds)) rounds, one core"
        )
        print(
            String(
                format: "libxml2 htmlReadMemory: %.1f pages/s, %.1f MB/s",
                count / bareBest,
                megabytes / bareBest
            )
        )
        print(
            String(
                format: "newswire extractor:     %.1f pages/s, %.1f MB/s (%.0f%% of the bare parse)",
                count / extractBest,
                megabytes / extractBest,
                100 * bareBest / extractBest
            )
        )
    }
}
