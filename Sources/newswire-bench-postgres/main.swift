// scripts/bench-postgres: commit throughput and round trips of PostgresStateStore against a
// real server (scripts/with-postgres starts one and sets NEWSWIRE_TEST_POSTGRES).
//
// Commits carry what the engine's commits carry: articles (24-byte signatures), as many outbox
// records (a 1.5 KB NDJSON value, two headers), a few links, a feed state and the sink's
// checkpoint. Options: --articles N (per scenario, default 20000), --url URL.
import Dispatch
import Foundation
import Logging
import NewswireCore
import NewswireDedup
import NewswirePostgres
import Synchronization

struct Options {
    var articles = 20_000
    var url = ProcessInfo.processInfo.environment["NEWSWIRE_TEST_POSTGRES"] ?? ""

    init(_ arguments: [String]) {
        var index = 1
        while index + 1 < arguments.count {
            switch arguments[index] {
            case "--articles": self.articles = max(100, Int(arguments[index + 1]) ?? 0)
            case "--url": self.url = arguments[index + 1]
            default: break
            }
            index += 2
        }
    }
}

let options = Options(CommandLine.arguments)
guard !options.url.isEmpty else {
    FileHandle.standardError.write(
        Data("bench-postgres: no database: pass --url or run under scripts/with-postgres\n".utf8)
    )
    exit(2)
}
let logger = Logger(label: "newswire.bench", factory: { _ in SwiftLogNoOpLogHandler() })

/// The invented commits of the benchmark.
enum Fixture {
    static let date = Date(timeIntervalSince1970: 1_800_000_000)
    static let value = [UInt8](repeating: UInt8(ascii: "x"), count: 1500)

    static func hexID(_ index: Int) -> String {
        let digits = String(index, radix: 16)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }

    /// One commit of the articles `ids`, announced as first seen.
    static func commit(of ids: some Collection<Int>, feed: Int) -> StateCommit {
        let articles = ids.map { index in
            SeenArticle(
                id: hexID(index),
                url: "https://news\(index % 97).example/story/\(index)",
                contentHash: UInt64(index) &* 0x9E37_79B9_7F4A_7C15,
                signature: (0..<24).map { UInt8(truncatingIfNeeded: index &* 31 &+ $0) },
                hasText: true,
                revision: 1,
                duplicateOf: nil,
                seenAt: date
            )
        }
        return StateCommit(
            articles: articles,
            links: Dictionary(uniqueKeysWithValues: ids.prefix(3).map { (hexID($0 + 1 << 40), date) }),
            feeds: [FeedState(url: "https://news\(feed).example/rss.xml", etag: "\"\(feed)\"", intervalSeconds: 300)],
            checkpoints: ["sink.offset": "\(ids.first ?? 0)"],
            outbox: articles.map {
                OutboxRecord(
                    key: $0.id,
                    value: value,
                    headers: [
                        OutboxHeader(name: "feed", value: "news.example"), OutboxHeader(name: "revision", value: "1"),
                    ],
                    firstSeen: true
                )
            }
        )
    }
}

func open(_ schema: String) throws -> PostgresStateStore {
    try PostgresStateStore(url: options.url, schema: schema, logger: logger)
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func format(_ value: Double) -> String { String(format: "%.0f", value) }

print("PostgreSQL store benchmark: \(options.articles) articles per scenario, 1.5 KB outbox value each")
let clock = ContinuousClock()

// One worker, commits of several sizes.
for batch in [10, 100, 500] {
    let schema = "bench_commit_\(batch)"
    let store = try open(schema)
    let commits = options.articles / batch
    let roundTrips = store.roundTripCount
    let elapsed = try clock.measure {
        for index in 0..<commits {
            try store.commit(Fixture.commit(of: (index * batch)..<((index + 1) * batch), feed: index % 50))
        }
    }
    let trips = Double(store.roundTripCount - roundTrips) / Double(commits)
    let time = seconds(elapsed)
    print(
        "1 worker, \(batch) articles/commit: \(commits) commits in \(String(format: "%.2f", time)) s: "
            + "\(format(Double(commits * batch) / time)) articles/s, "
            + "\(String(format: "%.1f", time * 1000 / Double(commits))) ms/commit, "
            + "\(String(format: "%.2f", trips)) round trips/commit"
    )
    try store.dropSchema(named: schema)
}

// Two workers commit the same articles at the same time (each sees every article):
// first seen wins, each article leaves one outbox record.
do {
    let schema = "bench_two_workers"
    let stores = try [open(schema), open(schema)]
    let batch = 100
    let commits = options.articles / batch
    let failures = Atomic(0)
    let elapsed = clock.measure {
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for step in 0..<commits {
                let index = worker == 0 ? step : commits - 1 - step
                do {
                    try stores[worker].commit(
                        Fixture.commit(of: (index * batch)..<((index + 1) * batch), feed: index % 50)
                    )
                } catch {
                    failures.add(1, ordering: .relaxed)
                }
            }
        }
    }
    let stored = try stores[0].outboxStatus().count
    let time = seconds(elapsed)
    print(
        "2 workers, same \(options.articles) articles, \(batch)/commit: \(2 * commits) commits in "
            + "\(String(format: "%.2f", time)) s: \(format(Double(2 * commits * batch) / time)) articles decided/s; "
            + "outbox records \(stored) (expected \(options.articles)), failed commits \(failures.load(ordering: .relaxed))"
    )
    try stores[0].dropSchema(named: schema)
}

// Leases: 1,000 hosts claimed in batches of 100, then renewed together.
do {
    let schema = "bench_leases"
    let store = try open(schema)
    let hosts = (0..<1000).map { "host:news\($0).example" }
    try store.registerLeases(hosts)
    let before = store.roundTripCount
    var claimed = 0
    let elapsed = try clock.measure {
        while true {
            let got = try store.claimLeases(worker: "bench", prefix: "host:", limit: 100, seconds: 30)
            if got.isEmpty { break }
            claimed += got.count
        }
    }
    let claimTrips = store.roundTripCount - before
    let renewBefore = store.roundTripCount
    let renewed = try store.renewLeases(worker: "bench", seconds: 30).count
    print(
        "leases: \(claimed) claimed in \(claimTrips) round trips (\(String(format: "%.3f", Double(claimTrips) / Double(claimed))) per lease, "
            + "\(String(format: "%.1f", seconds(elapsed) * 1000)) ms); \(renewed) renewed in "
            + "\(store.roundTripCount - renewBefore) round trip"
    )
    try store.dropSchema(named: schema)
}
