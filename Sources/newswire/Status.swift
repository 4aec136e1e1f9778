import ArgumentParser
import Foundation
import Logging
import NewswireCore
import NewswirePipeline
import NewswireState

/// `newswire status`: each feed's health from the state file, while `watch` runs or not.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each feed's health: last success, last new item, failures, last error, next poll.",
        discussion: """
            Reads the pipeline's state file without taking the run's lock, so it works
            while `newswire watch` runs. A table on a terminal; --json for scripts (one
            object: the totals and a `feeds` array).

            Health: ok; failing (the last poll failed; it is retried with backoff);
            gone (the feed answered 410 Gone); new (never polled).

            Examples:
              newswire status pipelines/newsroom.yaml
              newswire status pipelines/newsroom.yaml --json | jq '.feeds[] | select(.health != "ok")'
            """
    )

    @Argument(help: "The pipeline file.")
    var pipeline: String

    @Option(help: "The state file (instead of the pipeline's state:).")
    var state: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @OptionGroup var global: GlobalOptions

    struct Row {
        var url: String
        var name: String?
        var state: FeedState?
        var inPipeline: Bool

        var health: String {
            guard let state, state.lastAttemptAt != nil else { return "new" }
            if state.goneAt != nil { return "gone" }
            return state.consecutiveFailures > 0 ? "failing" : "ok"
        }
    }

    func run() throws {
        _ = self.global.bootstrap()
        let configuration: PipelineConfiguration
        do {
            configuration = try PipelineFile.load(path: self.pipeline)
        } catch {
            FileHandle.standardError.write(Data("newswire: \(error)\n".utf8))
            throw ExitCode(64)
        }
        guard let path = self.state ?? configuration.state else {
            FileHandle.standardError.write(Data("newswire: the pipeline names no state file (state:)\n".utf8))
            throw ExitCode(64)
        }
        var states: [String: FeedState] = [:]
        var seenArticles = 0
        var cluster: Cluster?
        if StateReader.isDatabase(path) || FileManager.default.fileExists(atPath: path) {
            do {
                let store = try StateReader.open(path, logger: Logger(label: "newswire.status"))
                for state in try store.allFeedStates() { states[state.url] = state }
                seenArticles = try store.seenArticleCount()
                cluster = try Cluster(store)
            } catch {
                FileHandle.standardError.write(Data("newswire: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
        var rows = configuration.feeds.map { feed in
            Row(url: feed.url, name: feed.name, state: states[feed.url], inPipeline: true)
        }
        let listed = Set(rows.map(\.url))
        for state in states.values.sorted(by: { $0.url < $1.url }) where !listed.contains(state.url) {
            rows.append(Row(url: state.url, name: nil, state: state, inPipeline: false))
        }
        let now = Date()
        if self.json {
            print(Self.json(rows, seenArticles: seenArticles, statePath: path, cluster: cluster, now: now))
        } else {
            print(Self.table(rows, now: now, seenArticles: seenArticles, statePath: path))
            if let cluster { print(cluster.table(now: now)) }
        }
    }

    static func json(_ rows: [Row], seenArticles: Int, statePath: String, cluster: Cluster?, now: Date) -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("state")
        writer.value(statePath)
        cluster?.write(to: &writer, now: now)
        writer.key("seen_articles")
        writer.value(seenArticles)
        for health in ["ok", "failing", "gone", "new"] {
            writer.key(health)
            writer.value(rows.filter { $0.inPipeline && $0.health == health }.count)
        }
        writer.key("feeds")
        writer.beginArray()
        for row in rows {
            writer.beginObject()
            writer.key("url")
            writer.value(row.url)
            if let name = row.name {
                writer.key("name")
                writer.value(name)
            }
            writer.key("health")
            writer.value(row.health)
            writer.key("in_pipeline")
            writer.value(row.inPipeline)
            if let state = row.state {
                func date(_ key: String, _ value: Date?) {
                    guard let value else { return }
                    writer.key(key)
                    writer.value(RFC3339.string(from: value))
                }
                date("last_attempt_at", state.lastAttemptAt)
                date("last_success_at", state.lastSuccessAt)
                date("last_new_item_at", state.lastNewItemAt)
                date("next_poll_at", state.nextPollAt)
                date("gone_at", state.goneAt)
                if let interval = state.intervalSeconds {
                    writer.key("interval_s")
                    writer.value(Int(interval.rounded()))
                }
                writer.key("consecutive_failures")
                writer.value(state.consecutiveFailures)
                if let status = state.lastStatus {
                    writer.key("last_status")
                    writer.value(status)
                }
                if let error = state.lastError {
                    writer.key("last_error")
                    writer.value(error)
                }
                if let location = state.location {
                    writer.key("location")
                    writer.value(location)
                }
            }
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.string
    }

    static func table(_ rows: [Row], now: Date, seenArticles: Int, statePath: String) -> String {
        let header = ["HEALTH", "LAST SUCCESS", "LAST NEW", "FAILS", "NEXT POLL", "FEED", "LAST ERROR"]
        var lines: [[String]] = [header]
        for row in rows {
            let state = row.state
            lines.append([
                row.health + (row.inPipeline ? "" : "*"),
                Self.age(state?.lastSuccessAt, now: now),
                Self.age(state?.lastNewItemAt, now: now),
                String(state?.consecutiveFailures ?? 0),
                Self.until(state?.nextPollAt, now: now),
                row.url,
                state?.lastError.map { String($0.prefix(60)) } ?? "",
            ])
        }
        var widths = [Int](repeating: 0, count: header.count)
        for line in lines {
            for (index, cell) in line.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        var output = lines.map { line in
            line.enumerated().map { index, cell in
                index == line.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }
            .joined(separator: "  ")
            .trimmingCharacters(in: .whitespaces)
        }
        let inPipeline = rows.filter(\.inPipeline)
        var totals: [String] = []
        for health in ["ok", "failing", "gone", "new"] {
            let count = inPipeline.filter { $0.health == health }.count
            if count > 0 { totals.append("\(count) \(health)") }
        }
        output.append("")
        output.append(
            "\(inPipeline.count) feeds: \(totals.joined(separator: ", ")); \(seenArticles) articles seen; state \(statePath)"
        )
        if rows.contains(where: { !$0.inPipeline }) { output.append("* in the state file, no longer in the pipeline") }
        return output.joined(separator: "\n")
    }

    static func age(_ date: Date?, now: Date) -> String {
        guard let date else { return "-" }
        return Self.span(now.timeIntervalSince(date)) + " ago"
    }

    static func until(_ date: Date?, now: Date) -> String {
        guard let date else { return "-" }
        let seconds = date.timeIntervalSince(now)
        return seconds <= 0 ? "due" : "in " + Self.span(seconds)
    }

    static func span(_ seconds: Double) -> String {
        let value = max(0, seconds)
        if value < 90 { return "\(Int(value))s" }
        if value < 90 * 60 { return "\(Int(value / 60))m" }
        if value < 36 * 3600 { return "\(Int(value / 3600))h" }
        return "\(Int(value / 86_400))d"
    }
}
