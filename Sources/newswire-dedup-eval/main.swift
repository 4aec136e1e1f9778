// Evaluates deduplication on a synthetic set and benchmarks the index (scripts/eval-dedup).
//
// Part 1 (quality): N source articles, each with one variant of every kind and one hard
// negative (another report of the same event with the same names). Sources are decided
// first, then variants and negatives in shuffled order, through one Deduplicator. Reports
// recall per kind, pair precision, and false matches of hard negatives and of sources.
// Part 2 (scale): indexes M further articles, then times `decide` (canonical URL, id,
// fingerprint, lookup, insert) on a fresh sample, and reports bytes per article of the index.

import Foundation
import NewswireCore
import NewswireDedup

#if canImport(Glibc)
import Glibc
#endif

struct Arguments {
    var sources = 1000
    var indexed = 1_000_000
    var sample = 20000
    var seed: UInt64 = 2026
    var options = DedupOptions()
    var quality = true
    var scale = true

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        func value(_ name: String) -> String {
            guard let value = iterator.next() else { fatalError("\(name) needs a value") }
            return value
        }
        while let argument = iterator.next() {
            switch argument {
            case "--sources": self.sources = Int(value(argument))!
            case "--indexed": self.indexed = Int(value(argument))!
            case "--sample": self.sample = Int(value(argument))!
            case "--seed": self.seed = UInt64(value(argument))!
            case "--shingles":
                self.options.fingerprint.shingleSizes = value(argument).split(separator: ",").map { Int($0)! }
            case "--bytes": self.options.fingerprint.signatureBytes = Int(value(argument))!
            case "--bands": self.options.lsh.bands = Int(value(argument))!
            case "--rows": self.options.lsh.rowsPerBand = Int(value(argument))!
            case "--threshold": self.options.nearDuplicateThreshold = Double(value(argument))!
            case "--keep-stopwords": self.options.fingerprint.ignoresStopwords = false
            case "--quality-only": self.scale = false
            case "--scale-only": self.quality = false
            default:
                print(
                    """
                    usage: newswire-dedup-eval [--sources N] [--indexed N] [--sample N] [--seed N]
                      [--shingles 1,2] [--bytes N] [--bands N] [--rows 1-4] [--threshold J] [--keep-stopwords]
                      [--quality-only | --scale-only]
                    """
                )
                exit(2)
            }
        }
    }
}

func makeArticle(_ url: String, _ synthetic: SyntheticArticle, sequence: Int) -> Article {
    var article = Article(sequence: SequenceNumber(feed: 0, item: sequence), url: url)
    article.title = synthetic.title
    article.text = synthetic.text
    return article
}

func percent(_ value: Double) -> String { String(format: "%.2f%%", value * 100) }
func ratio(_ value: Double) -> String { String(format: "%.4f", value) }

func residentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return kilobytes * 1024
    }
    return 0
}

/// CPU time of this thread: the "one core" figure, unaffected by other processes on the machine.
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func elapsed(since start: ContinuousClock.Instant) -> Double {
    let duration = ContinuousClock.now - start
    return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

let arguments = Arguments(CommandLine.arguments)
let options = arguments.options
print(
    "options: shingles=\(options.fingerprint.shingleSizes.map(String.init).joined(separator: ",")) bytes=\(options.fingerprint.signatureBytes)"
        + " bands=\(options.lsh.bands)x\(options.lsh.rowsPerBand) threshold=\(options.nearDuplicateThreshold)"
        + " stopwords=\(options.fingerprint.ignoresStopwords ? "ignored" : "kept")"
)
let corpus = SyntheticCorpus(seed: arguments.seed)

if arguments.quality {
    var random = SeededGenerator(seed: arguments.seed &+ 1)
    var sources: [SyntheticArticle] = []
    var items: [(kind: String, source: Int, article: SyntheticArticle)] = []
    var words = 0
    for index in 0..<arguments.sources {
        let event = corpus.event(using: &random)
        let source = corpus.article(about: event, using: &random)
        words += source.wordCount
        sources.append(source)
        for kind in VariantKind.allCases {
            items.append((kind.rawValue, index, corpus.variant(kind, of: source, event: event, using: &random)))
        }
        items.append(("hard_negative", index, corpus.article(about: event, using: &random)))
    }
    items.shuffle(using: &random)
    print("quality set: \(sources.count) sources (mean \(words / max(1, sources.count)) words), \(items.count) items")

    let deduplicator = try Deduplicator(store: nil, options: options)
    var sourceIDs: [String] = []
    var sourceSignatures: [[UInt8]] = []
    var falseSourceMatches = 0
    for (index, source) in sources.enumerated() {
        var article = makeArticle("https://source.example/story/\(index)", source, sequence: index)
        let decision = deduplicator.decide(&article)
        if decision.duplicateOf != nil { falseSourceMatches += 1 }
        sourceIDs.append(article.id ?? "")
        sourceSignatures.append(deduplicator.textFingerprinter.fingerprint(source.text).signature)
    }
    var found: [String: Int] = [:]
    var total: [String: Int] = [:]
    var similarities: [String: [Double]] = [:]
    var predictedPairs = falseSourceMatches
    var correctPairs = 0
    for (offset, item) in items.enumerated() {
        let url = "https://mirror.example/\(item.kind)/\(item.source)"
        var article = makeArticle(url, item.article, sequence: sources.count + offset)
        let decision = deduplicator.decide(&article)
        total[item.kind, default: 0] += 1
        let signature = deduplicator.textFingerprinter.fingerprint(item.article.text).signature
        similarities[item.kind, default: []].append(
            TextFingerprinter.similarity(signature, sourceSignatures[item.source])
        )
        guard let duplicateOf = decision.duplicateOf else { continue }
        predictedPairs += 1
        if item.kind != "hard_negative" && duplicateOf == sourceIDs[item.source] {
            correctPairs += 1
            found[item.kind, default: 0] += 1
        } else {
            found[item.kind == "hard_negative" ? item.kind : "wrong_\(item.kind)", default: 0] += 1
        }
    }
    print("kind            recall    mean-sim  p01-sim")
    for kind in VariantKind.allCases.map(\.rawValue) {
        let values = (similarities[kind] ?? []).sorted()
        let mean = values.reduce(0, +) / Double(max(1, values.count))
        let low = values.isEmpty ? 0 : values[values.count / 100]
        let recall = Double(found[kind] ?? 0) / Double(max(1, total[kind] ?? 0))
        print(
            kind.padding(toLength: 16, withPad: " ", startingAt: 0)
                + ratio(recall).padding(toLength: 10, withPad: " ", startingAt: 0)
                + ratio(mean).padding(toLength: 10, withPad: " ", startingAt: 0) + ratio(low)
        )
    }
    let negatives = (similarities["hard_negative"] ?? []).sorted()
    let negativeMatches = found["hard_negative"] ?? 0
    print(
        "hard negatives: false matches \(negativeMatches)/\(total["hard_negative"] ?? 0) = "
            + percent(Double(negativeMatches) / Double(max(1, total["hard_negative"] ?? 0)))
            + "; similarity mean \(ratio(negatives.reduce(0, +) / Double(max(1, negatives.count))))"
            + " p99 \(ratio(negatives.isEmpty ? 0 : negatives[negatives.count * 99 / 100]))"
            + " max \(ratio(negatives.last ?? 0))"
    )
    let wrong = found.filter { $0.key.hasPrefix("wrong_") }.values.reduce(0, +)
    print("variants matched to a wrong article: \(wrong); sources matched to another source: \(falseSourceMatches)")
    print(
        "pair precision: \(correctPairs)/\(predictedPairs) = "
            + ratio(Double(correctPairs) / Double(max(1, predictedPairs)))
    )
}

if arguments.scale && arguments.indexed > 0 {
    var random = SeededGenerator(seed: arguments.seed &+ 2)
    let deduplicator = try Deduplicator(store: nil, options: options)
    let rssBefore = residentBytes()
    var falseMatches = 0
    var decideSeconds = 0.0
    let buildStart = ContinuousClock.now
    let batch = 10000
    var index = 0
    while index < arguments.indexed {
        var articles: [Article] = []
        for offset in 0..<min(batch, arguments.indexed - index) {
            let event = corpus.event(using: &random)
            let url = "https://indexed.example/\(index + offset)"
            articles.append(makeArticle(url, corpus.article(about: event, using: &random), sequence: index + offset))
        }
        let start = threadCPUSeconds()
        for position in articles.indices where deduplicator.decide(&articles[position]).duplicateOf != nil {
            falseMatches += 1
        }
        decideSeconds += threadCPUSeconds() - start
        index += articles.count
        if index % 200_000 == 0 {
            print("  indexed \(index) (\(Int(elapsed(since: buildStart)))s)")
            fflush(nil)  // progress shows up when the output is piped
        }
    }
    print(
        "indexed \(deduplicator.indexedCount) distinct articles: decide \(Int(Double(arguments.indexed) / decideSeconds))/s"
            + " (thread CPU time) while building; unrelated articles flagged as duplicates: \(falseMatches) ("
            + percent(Double(falseMatches) / Double(max(1, arguments.indexed))) + ")"
    )
    let bytes = deduplicator.indexMemoryBytes
    print(
        "index memory: \(bytes) bytes = \(String(format: "%.1f", Double(bytes) / Double(deduplicator.indexedCount)))"
            + " bytes/article (RSS grew \((residentBytes() - rssBefore) / 1_048_576) MiB, including allocator slack)"
    )

    // Fresh sample: half new stories, half 5% rewrites of them, none indexed before.
    var sample: [Article] = []
    var texts: [String] = []
    while sample.count < arguments.sample {
        let event = corpus.event(using: &random)
        let source = corpus.article(about: event, using: &random)
        let variant = corpus.variant(.replace5, of: source, event: event, using: &random)
        for article in [source, variant] {
            sample.append(makeArticle("https://sample.example/\(sample.count)", article, sequence: sample.count))
            texts.append(article.text)
        }
    }
    let fingerprinter = deduplicator.textFingerprinter
    var checksum: UInt64 = 0
    let fingerprintStart = threadCPUSeconds()
    for text in texts { checksum &+= fingerprinter.fingerprint(text).contentHash }
    let fingerprintSeconds = threadCPUSeconds() - fingerprintStart
    let decideStart = threadCPUSeconds()
    let decideWall = ContinuousClock.now
    var duplicates = 0
    for position in sample.indices where deduplicator.decide(&sample[position]).duplicateOf != nil { duplicates += 1 }
    let sampleSeconds = threadCPUSeconds() - decideStart
    let sampleWall = elapsed(since: decideWall)
    print(
        "with \(arguments.indexed) indexed: fingerprint only \(Int(Double(texts.count) / fingerprintSeconds))/s;"
            + " decide (canonical URL + id + fingerprint + lookup + insert) \(Int(Double(sample.count) / sampleSeconds))/s"
            + " per CPU-second of one thread (wall clock: \(Int(Double(sample.count) / sampleWall))/s on a shared machine);"
            + " sample 5% rewrites found \(duplicates)/\(sample.count / 2) [\(checksum % 10)]"
    )
}
