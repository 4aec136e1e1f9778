import Foundation
import NewswireCore
import NewswirePipeline
import NewswireSink
import Testing

/// The daemon's pipeline keys: `watch:` and `output_rotate:`.
@Suite struct WatchKeysTests {
    private func parse(_ yaml: String) throws -> PipelineConfiguration {
        try PipelineFile.parse(yaml, file: "watch.yaml", folder: "/srv/pipelines", environment: [:])
    }

    @Test func readsTheWatchMapping() throws {
        let configuration = try self.parse(
            """
            feeds: [https://gazette.example/rss]
            state: state/watch.sqlite
            watch: {min_interval: 2m, max_interval: 3h, initial_interval: 10m, jitter: 0.2,
                    failure_backoff: 30s, drain_s: 12, listen: "[::1]:9500", concurrency: 512}
            """
        )
        let watch = configuration.watch
        #expect(watch.policy.minInterval == 120)
        #expect(watch.policy.maxInterval == 10_800)
        #expect(watch.policy.initialInterval == 600)
        #expect(watch.policy.jitter == 0.2)
        #expect(watch.policy.failureBackoff == 30)
        #expect(watch.drainSeconds == 12)
        #expect(watch.listen == "[::1]:9500")
        #expect(watch.concurrency == 512)
        #expect(WatchOptions.hostAndPort("[::1]:9500")?.host == "::1")
    }

    @Test func refusesBadWatchValues() {
        #expect(throws: PipelineFileError.self) {
            try self.parse("feeds: [https://gazette.example/rss]\nwatch: {min_interval: 2h, max_interval: 1h}")
        }
        #expect(throws: PipelineFileError.self) {
            try self.parse("feeds: [https://gazette.example/rss]\nwatch: {listen: nowhere}")
        }
        #expect(throws: PipelineFileError.self) {
            try self.parse("feeds: [https://gazette.example/rss]\nwatch: {jitter: 2}")
        }
        #expect(throws: PipelineFileError.self) {
            try self.parse("feeds: [https://gazette.example/rss]\nwatch: {poll_every: 5m}")
        }
        let off = try? self.parse("feeds: [https://gazette.example/rss]\nwatch: {listen: \"off\"}")
        #expect(off?.watch.listen == nil)
    }

    @Test func outputRotateNeedsAPattern() throws {
        let rotated = try self.parse(
            """
            feeds: [https://gazette.example/rss]
            output: out/articles-%Y%m%dT%H%M%S.ndjson
            output_rotate: {bytes: 64MB, hours: 1}
            """
        )
        #expect(rotated.outputRotate?.hours == 1)
        #expect(rotated.outputRotate?.bytes == 64 * 1_000_000 || rotated.outputRotate?.bytes == 64 << 20)
        #expect(throws: PipelineFileError.self) {
            try self.parse("feeds: [https://gazette.example/rss]\noutput: \"-\"\noutput_rotate: {hours: 1}")
        }
        #expect(throws: PipelineFileError.self) {
            try self.parse(
                "feeds: [https://gazette.example/rss]\noutput: out/articles.ndjson\noutput_rotate: {hours: 1}"
            )
        }
    }
}
