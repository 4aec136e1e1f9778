// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let dequeModule = Target.Dependency.product(name: "DequeModule", package: "swift-collections")
let heapModule = Target.Dependency.product(name: "HeapModule", package: "swift-collections")
let yams = Target.Dependency.product(name: "Yams", package: "Yams")
let grdb = Target.Dependency.product(name: "GRDB", package: "GRDB.swift")
let flyingFox = Target.Dependency.product(name: "FlyingFox", package: "FlyingFox")
let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")
let coreMetrics = Target.Dependency.product(name: "CoreMetrics", package: "swift-metrics")
let prometheus = Target.Dependency.product(name: "Prometheus", package: "swift-prometheus")

let package = Package(
    name: "newswire",
    products: [
        .executable(name: "newswire", targets: ["newswire"]),
        .executable(name: "newswire-testserver", targets: ["newswire-testserver"]),
        .executable(name: "newswire-kafka-mock", targets: ["newswire-kafka-mock"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // System libraries: a module map and a thin C shim each, nothing else.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        // libFuzzer's driver declaration only (linked by -sanitize=fuzzer in scripts/fuzz).
        .systemLibrary(name: "CLibFuzzer"),
        // A cache prefetch hint for the dedup index's and the entity tagger's lookups (a header only).
        .systemLibrary(name: "CPrefetch"),
        // The MinHash loop with AVX-512 where the processor has it (a header only).
        .systemLibrary(name: "CMinHash"),

        // Records, errors, stage protocols, queues, charset and date handling.
        .target(name: "NewswireCore", dependencies: [dequeModule, logging], swiftSettings: swiftSettings),
        // The only module that imports CCurl.
        .target(
            name: "NewswireFetch",
            dependencies: ["CCurl", "NewswireCore", logging, dequeModule],
            swiftSettings: swiftSettings
        ),
        // The only module that imports CLibXML2: feeds, HTML, article extraction.
        .target(name: "NewswireMarkup", dependencies: ["CLibXML2", "NewswireCore"], swiftSettings: swiftSettings),
        .target(
            name: "NewswireEntities",
            dependencies: ["CPrefetch", "NewswireCore"],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "NewswireDedup",
            dependencies: ["CMinHash", "CPrefetch", "NewswireCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "NewswireState",
            dependencies: ["NewswireCore", "NewswireDedup", grdb],
            swiftSettings: swiftSettings
        ),
        .target(name: "NewswireSink", dependencies: ["NewswireCore"], swiftSettings: swiftSettings),
        // The state store on PostgreSQL (several workers); the only module that imports CLibPQ.
        .target(
            name: "NewswirePostgres",
            dependencies: ["CLibPQ", "NewswireCore", "NewswireDedup", "NewswireState", logging],
            swiftSettings: swiftSettings
        ),
        // WARC reading and writing; the only module that imports CZlib and CDeflate.
        .target(
            name: "NewswireArchive",
            dependencies: ["CZlib", "CDeflate", "NewswireCore", crypto],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "NewswirePipeline",
            dependencies: [
                "NewswireCore", "NewswireFetch", "NewswireMarkup", "NewswireEntities", "NewswireDedup",
                "NewswireState", "NewswireSink", "NewswireArchive", "NewswirePostgres", "NewswireKafka", yams, logging,
                heapModule,
                coreMetrics,
            ],
            swiftSettings: swiftSettings
        ),
        // Kafka output: the producer and the outbox relay; the only module that imports CRdKafka.
        .target(
            name: "NewswireKafka",
            dependencies: ["CRdKafka", "NewswireCore", logging],
            swiftSettings: swiftSettings
        ),
        // Local HTTP sites for tests and the demo (like HummingbirdTesting).
        .target(name: "NewswireTesting", dependencies: ["NewswireCore", flyingFox], swiftSettings: swiftSettings),
        .executableTarget(
            name: "newswire",
            dependencies: [
                "NewswirePipeline", "NewswireFetch", "NewswireMarkup", "NewswireEntities", "NewswireDedup",
                "NewswireState",
                argumentParser, logging, coreMetrics, prometheus, flyingFox,
            ],
            swiftSettings: swiftSettings
        ),
        // scripts/eval-dedup: synthetic near-duplicate evaluation and index benchmark (release build).
        .executableTarget(
            name: "newswire-dedup-eval",
            dependencies: ["NewswireDedup", "NewswireCore"],
            swiftSettings: swiftSettings
        ),
        // scripts/bench-sitemaps: SitemapParser against libxml2's bare reader on a generated sitemap.
        .executableTarget(
            name: "newswire-bench-sitemaps",
            dependencies: ["NewswireMarkup", "NewswireCore"],
            swiftSettings: swiftSettings
        ),
        // scripts/bench-feeds: FeedParser against libxml2's bare reader on a generated corpus.
        .executableTarget(
            name: "newswire-bench-feeds",
            dependencies: ["NewswireMarkup", "NewswireCore"],
            swiftSettings: swiftSettings
        ),
        // scripts/bench-warc-read: WARCReader against zcat and FastWARC on a generated archive.
        .executableTarget(
            name: "newswire-bench-warc",
            dependencies: ["NewswireArchive", "NewswireCore"],
            swiftSettings: swiftSettings
        ),
        // scripts/fuzz: libFuzzer harnesses (feed, html, charset, url, date, pipeline); a plain
        // build replays inputs.
        .executableTarget(
            name: "newswire-fuzz",
            dependencies: ["CLibFuzzer", "NewswireCore", "NewswireMarkup", "NewswireDedup", "NewswirePipeline"],
            swiftSettings: swiftSettings
        ),
        // Test support: librdkafka's mock cluster (serve), a read_committed consumer (consume)
        // and a relay over a file-backed outbox (relay), for the tests and scripts/bench-kafka.
        .executableTarget(
            name: "newswire-kafka-mock",
            dependencies: ["NewswireKafka", "NewswireCore", argumentParser, logging],
            swiftSettings: swiftSettings
        ),
        // scripts/bench-postgres: commit throughput and round trips of the PostgreSQL store.
        .executableTarget(
            name: "newswire-bench-postgres",
            dependencies: ["NewswirePostgres", "NewswireDedup", "NewswireCore", logging],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "newswire-testserver",
            dependencies: ["NewswireTesting", argumentParser],
            swiftSettings: swiftSettings
        ),

        .testTarget(name: "NewswireCoreTests", dependencies: ["NewswireCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "NewswireFetchTests",
            dependencies: ["NewswireFetch", "NewswireTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NewswireMarkupTests",
            dependencies: ["NewswireMarkup", "NewswireTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NewswireEntitiesTests",
            dependencies: ["NewswireEntities"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "NewswireSinkTests", dependencies: ["NewswireSink"], swiftSettings: swiftSettings),
        .testTarget(name: "NewswireArchiveTests", dependencies: ["NewswireArchive"], swiftSettings: swiftSettings),
        .testTarget(
            name: "NewswirePipelineTests",
            dependencies: ["NewswirePipeline", "NewswireSink"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "NewswirePipeline", "NewswireTesting", "NewswireEntities", "newswire", "newswire-kafka-mock",
            ],
            exclude: ["Golden"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "NewswireDedupTests", dependencies: ["NewswireDedup"], swiftSettings: swiftSettings),
        // The store tests every PipelineStateStore passes (SQLite and PostgreSQL), as test bodies.
        .target(
            name: "NewswireStateTestSupport",
            dependencies: ["NewswireState", "NewswireDedup", "NewswireCore"],
            path: "Tests/NewswireStateTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NewswireKafkaTests",
            dependencies: ["NewswireKafka", "NewswireCore", "newswire-kafka-mock", logging],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NewswireStateTests",
            dependencies: ["NewswireState", "NewswireDedup", "NewswireStateTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NewswirePostgresTests",
            dependencies: [
                "NewswirePostgres", "NewswireState", "NewswireDedup", "NewswireStateTestSupport", logging,
                .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
