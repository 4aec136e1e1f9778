// newswire-bench-warc: builds a .warc.gz of an invented news site, and times WARCReader
// over a file (records parsed, HTTP heads parsed, payloads de-chunked and inflated).
// Driven by scripts/bench-warc-read, which times zcat and FastWARC on the same file.
//
//   newswire-bench-warc generate OUT.warc.gz [--pages N] [--page-bytes N] [--words N]
//                                            [--chunked PERCENT] [--gzip PERCENT] [--level 1-9]
//   newswire-bench-warc read FILE... [--verify] [--zlib-only] [--rounds N] [-v]

import NewswireArchive

import struct Foundation.Date

#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// CPU seconds of this thread, which load on the machine disturbs less than wall time.
func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func fail(_ message: String) -> Never {
    print("newswire-bench-warc: \(message)")
    exit(2)
}

func option(_ arguments: inout [String], _ name: String, default value: Int) -> Int {
    guard let index = arguments.firstIndex(of: name) else { return value }
    guard index + 1 < arguments.count, let number = Int(arguments[index + 1]) else { fail("\(name) needs a number") }
    arguments.removeSubrange(index...(index + 1))
    return number
}

func flag(_ arguments: inout [String], _ name: String) -> Bool {
    guard let index = arguments.firstIndex(of: name) else { return false }
    arguments.remove(at: index)
    return true
}

func chunked(_ body: [UInt8], size: Int) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(body.count + body.count / size * 8 + 16)
    var index = 0
    while index < body.count {
        let take = min(size, body.count - index)
        out.append(contentsOf: (String(take, radix: 16) + "\r\n").utf8)
        out.append(contentsOf: body[index..<(index + take)])
        out.append(contentsOf: "\r\n".utf8)
        index += take
    }
    out.append(contentsOf: "0\r\n\r\n".utf8)
    return out
}

func generate(_ arguments: [String]) {
    var arguments = arguments
    let pages = option(&arguments, "--pages", default: 10_000)
    let pageBytes = option(&arguments, "--page-bytes", default: 60_000)
    let chunkedPercent = option(&arguments, "--chunked", default: 20)
    let gzipPercent = option(&arguments, "--gzip", default: 10)
    let level = option(&arguments, "--level", default: 6)
    // 0: text fills each page; otherwise a story of about this many words in page furniture.
    let words = option(&arguments, "--words", default: 0)
    guard arguments.count == 1 else { fail("generate needs one output path") }
    let output = arguments[0]
    let directory = output + ".parts"
    let start = now()
    // Captures one second apart from a fixed day, so the archive is the same every run
    // but for record IDs.
    let epoch = 1_796_000_000.0
    let clock: @Sendable () -> Date = { Date(timeIntervalSince1970: epoch) }
    let writer: WARCWriter
    do {
        writer = try WARCWriter(
            configuration: WARCWriter.Configuration(
                directory: directory,
                prefix: "bench",
                maxFileBytes: 1 << 40,
                compressionLevel: Int32(level),
                software: "newswire-bench-warc",
                deduplicatePayloads: false,
                clock: clock
            )
        )
    } catch {
        fail("\(error)")
    }
    var site = SiteGenerator(seed: 20_261_203)
    var announced: [(Int, String, String)] = []
    var rawBytes = 0
    var writing = 0.0
    do {
        for index in 0..<pages {
            let date = Date(timeIntervalSince1970: epoch + Double(index))
            let stamp = WARCDate.string(from: date)
            let title = site.headline()
            var body = site.page(index: index, title: title, date: stamp, size: pageBytes, words: words)
            rawBytes += body.count
            var head = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nServer: velmora/2\r\n"
            head += "Cache-Control: max-age=300\r\nVary: Accept-Encoding\r\n"
            let bucket = (index * 37) % 100
            if bucket < gzipPercent {
                body = Gzip.compress(body)
                head += "Content-Encoding: gzip\r\n"
            }
            if bucket >= 100 - chunkedPercent {
                body = chunked(body, size: 8192)
                head += "Transfer-Encoding: chunked\r\n"
            } else {
                head += "Content-Length: \(body.count)\r\n"
            }
            let request =
                "GET /news/\(index) HTTP/1.1\r\nHost: courier.example\r\nUser-Agent: newswire-bench\r\n"
                + "Accept-Encoding: gzip\r\nAccept: */*\r\n\r\n"
            let exchange =
                HTTPExchange(
                    targetURI: "https://courier.example/news/\(index)",
                    date: date,
                    ipAddress: "192.0.2.10",
                    request: Array(request.utf8),
                    response: Array((head + "\r\n").utf8) + body
                )
            let before = cpuNow()
            try writer.archive(exchange)
            writing += cpuNow() - before
            announced.append((index, title, stamp))
            if announced.count == 50 {
                let feed = site.feed(items: announced)
                let feedHead =
                    "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: \(feed.count)\r\n\r\n"
                try writer.archive(
                    HTTPExchange(
                        targetURI: "https://courier.example/rss.xml",
                        date: date,
                        ipAddress: "192.0.2.10",
                        request: Array("GET /rss.xml HTTP/1.1\r\nHost: courier.example\r\n\r\n".utf8),
                        response: Array(feedHead.utf8) + feed
                    )
                )
                announced.removeAll()
            }
        }
        try writer.close()
    } catch {
        fail("\(error)")
    }
    guard let name = writer.closedFiles.last, rename(directory + "/" + name, output) == 0 else {
        fail("cannot move the archive to \(output)")
    }
    rmdir(directory)
    print(
        "generated \(output): \(pages) pages, \(rawBytes / 1_000_000) MB of HTML, "
            + "\(format2(now() - start)) s; WARCWriter.archive of the pages: \(format2(writing)) s of CPU, "
            + "\(Int(Double(pages) / writing)) pages/s"
    )
}

func format2(_ value: Double) -> String {
    let scaled = Int((value * 100).rounded())
    let fraction = scaled % 100
    return "\(scaled / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}

func read(_ arguments: [String]) {
    var arguments = arguments
    let verbose = flag(&arguments, "-v")
    let verify = flag(&arguments, "--verify")
    let rounds = option(&arguments, "--rounds", default: 1)
    let zlibOnly = flag(&arguments, "--zlib-only")
    for path in arguments {
        var best = Double.infinity
        for _ in 0..<rounds {
            let start = now()
            var records = 0
            var errors = 0
            var payloadBytes = 0
            var httpRecords = 0
            do {
                let reader = try WARCReader(
                    path: path,
                    options: WARCReader.Options(verifyDigests: verify, fastMembers: !zlibOnly)
                )
                for item in reader {
                    switch item {
                    case .success(let record):
                        records += 1
                        payloadBytes += record.payload.count
                        if record.http != nil { httpRecords += 1 }
                        if verbose {
                            let status = record.http?.status.map(String.init) ?? "-"
                            print(
                                "  \(record.location.offset) \(record.type) \(status) \(record.payload.count) \(record.targetURI ?? "")"
                            )
                        }
                    case .failure(let error):
                        errors += 1
                        print("  error: \(error)")
                    }
                }
            } catch {
                print("  open failed: \(error)")
            }
            let seconds = now() - start
            best = min(best, seconds)
            print(
                "\(path): records \(records) (http \(httpRecords)), errors \(errors), payload bytes \(payloadBytes), "
                    + "\(format2(seconds * 1000)) ms"
            )
        }
        if rounds > 1 { print("best \(format2(best * 1000)) ms") }
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "generate": generate(Array(arguments.dropFirst()))
case "read": read(Array(arguments.dropFirst()))
default: fail("usage: newswire-bench-warc generate OUT.warc.gz [--pages N] | read FILE... [--rounds N]")
}
