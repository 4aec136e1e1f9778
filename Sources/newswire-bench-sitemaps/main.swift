// Sitemap parsing benchmark (scripts/bench-sitemaps): MB/s of SitemapParser on one core over
// a sitemap file, next to libxml2's bare xmlTextReader walking the same bytes in the same
// run; with --peak-memory, one streaming parse of the file and the process's peak RSS.
//
// Usage: newswire-bench-sitemaps FILE [--rounds N] [--peak-memory]

import Foundation
import NewswireCore
import NewswireMarkup

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: newswire-bench-sitemaps FILE [--rounds N] [--peak-memory]\n".utf8))
    exit(64)
}
let path = arguments[1]
let rounds: Int = {
    guard let index = arguments.firstIndex(of: "--rounds"), index + 1 < arguments.count else { return 5 }
    return max(1, Int(arguments[index + 1]) ?? 5)
}()
LibXML2.initialize()
let base = "https://bench.test/sitemap.xml"

/// The process's peak resident set (VmHWM), in KiB.
func peakResidentKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
    return 0
}

if arguments.contains("--peak-memory") {
    // Streams the file from disk: what the file's size must not drive.
    var entries = 0
    var checksum = 0
    // No entry or size cap here: the point is a file larger than the limits.
    var limits = SitemapLimits()
    limits.maxEntries = Int.max
    limits.maxBytes = Int.max
    let summary = SitemapParser(limits: limits).parseFile(path, base: base) { entry in
        entries += 1
        checksum &+= entry.url.utf8.count &+ (entry.title?.utf8.count ?? 0)
    }
    print("entries=\(entries) peak_rss_kib=\(peakResidentKiB()) well_formed=\(summary.wellFormed) checksum=\(checksum)")
    exit(0)
}

guard let data = FileManager.default.contents(atPath: path) else {
    FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
    exit(1)
}
let bytes = [UInt8](data)
let megabytes = Double(bytes.count) / 1_000_000

/// CPU time of this thread: on a machine shared with other work, what one core spent,
/// not how long the scheduler made it wait.
func threadSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

@MainActor func best(_ label: String, _ body: () -> Int) {
    var fastest = Double.infinity
    var result = 0
    for _ in 0..<rounds {
        let start = threadSeconds()
        result = body()
        fastest = min(fastest, threadSeconds() - start)
    }
    let padded = label.padding(toLength: 34, withPad: " ", startingAt: 0)
    print(
        "\(padded) \(String(format: "%7.1f", megabytes / fastest)) MB/s  \(String(format: "%7.3f", fastest)) s  (\(result))"
    )
}

print(String(format: "file: %.1f MB, best of %d rounds, CPU time of one thread", megabytes, rounds))
best("libxml2 bare xmlTextReader (nodes)") { FeedBenchmarkSupport.walkWithBareReader(bytes) }
best("SitemapParser.parse (entries)") {
    var entries = 0
    _ = SitemapParser().parse(bytes, url: base) { _ in entries += 1 }
    return entries
}
best("SitemapParser.parseFile (entries)") {
    var entries = 0
    _ = SitemapParser().parseFile(path, base: base) { _ in entries += 1 }
    return entries
}
