import Foundation
import NewswireCore
import NewswireSink
import Testing

@Suite struct RotatingNDJSONSinkTests {
    private func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rotating-sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    private func sink(folder: URL, clock: ManualClock, policy: RotationPolicy) throws -> RotatingNDJSONSink {
        let pattern = try OutputPattern(folder.appendingPathComponent("out/articles-%Y%m%dT%H%M%S.ndjson").path)
        let journal = folder.appendingPathComponent("state.journal").path
        return RotatingNDJSONSink(
            articles: RotatingLineWriter(pattern: pattern, policy: policy, clock: clock, journalFolder: journal),
            errors: .rotated(
                RotatingLineWriter(
                    pattern: try pattern.errorsPattern(),
                    policy: policy,
                    clock: clock,
                    journalFolder: journal
                )
            )
        )
    }

    private func article(_ number: Int) -> Article {
        var article = Article(sequence: SequenceNumber(feed: 0, item: number), url: "https://harbour.example/\(number)")
        article.title = "Ferry timetable \(number)"
        return article
    }

    private func error(_ number: Int) -> ErrorRecord {
        ErrorRecord(
            kind: .timeout,
            stage: .fetch,
            url: "https://slow.example/\(number)",
            message: "Operation timed out",
            at: Date(timeIntervalSince1970: 1_796_303_405)
        )
    }

    /// The lines of the closed files of articles or of errors, in name order.
    private func closedLines(in folder: URL, errors: Bool) throws -> [String] {
        let out = folder.appendingPathComponent("out")
        return try FileManager.default.contentsOfDirectory(atPath: out.path)
            .filter { !$0.hasPrefix(".") && $0.hasSuffix(".errors.ndjson") == errors }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .flatMap { name in
                try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8).split(separator: "\n")
                    .map(String.init)
            }
    }

    @Test func articlesAndErrorsRotateIntoTheirOwnFilesAcrossACrash() throws {
        let folder = try self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clock = ManualClock(Date(timeIntervalSince1970: 1_796_303_405))
        let policy = try RotationPolicy(bytes: nil, hours: 1)
        var sink = try self.sink(folder: folder, clock: clock, policy: policy)
        var stored: [String: String] = [:]
        try sink.recover(from: stored)
        stored = try sink.commit()
        #expect(Set(sink.checkpointNames) == Set(stored.keys))
        #expect(sink.checkpointNames.count == 2)
        for number in 0..<3 {
            try sink.write(self.article(number))
            try sink.write(self.error(number))
        }
        stored = try sink.commit()
        #expect(sink.nextRotation == Date(timeIntervalSince1970: 1_796_306_400))
        // Uncommitted records, then a crash.
        try sink.write(self.article(3))
        try sink.write(self.error(3))
        sink = try self.sink(folder: folder, clock: clock, policy: policy)
        try sink.recover(from: stored)
        #expect(sink.recoveryNotes.filter { $0.contains("uncommitted bytes") }.count == 2)
        for number in 3..<5 {
            try sink.write(self.article(number))
            try sink.write(self.error(number))
        }
        clock.advance(by: 3600)
        stored = try sink.commit()
        try sink.write(self.article(5))
        stored = try sink.commit()
        try sink.close()
        let articles = try self.closedLines(in: folder, errors: false)
        #expect(articles.count == 6)
        for (number, line) in articles.enumerated() {
            #expect(line.contains(#""url":"https://harbour.example/\#(number)""#))
        }
        let errors = try self.closedLines(in: folder, errors: true)
        #expect(errors.map { $0.contains("slow.example/") } == Array(repeating: true, count: 5))
        #expect(errors.enumerated().allSatisfy { $0.element.contains("slow.example/\($0.offset)\"") })
    }
}

extension RotatingNDJSONSinkTests {
    @Test func thePipelinesErrorsValueChoosesWhereErrorRecordsGo() throws {
        let folder = try self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clock = ManualClock(Date(timeIntervalSince1970: 1_796_303_405))
        let policy = try RotationPolicy(bytes: 1, hours: nil)
        let output = folder.appendingPathComponent("out/articles-%Y%m%dT%H%M%S.ndjson").path
        let single = folder.appendingPathComponent("errors.ndjson").path
        let journal = folder.appendingPathComponent("state.journal").path
        let cases: [(String?, String)] = [
            (nil, "sink.rotate:" + folder.path + "/out/articles-%Y%m%dT%H%M%S.errors.ndjson"),
            (folder.path + "/e/%Y.ndjson", "sink.rotate:" + folder.path + "/e/%Y.ndjson"),
            (single, "sink.ndjson:" + single),
        ]
        for (errors, name) in cases {
            let sink = try RotatingNDJSONSink(
                output: output,
                errors: errors,
                policy: policy,
                clock: clock,
                journalFolder: journal
            )
            #expect(
                sink.checkpointNames == ["sink.rotate:" + folder.path + "/out/articles-%Y%m%dT%H%M%S.ndjson", name]
            )
        }
        let sink = try RotatingNDJSONSink(
            output: output,
            errors: single,
            policy: policy,
            clock: clock,
            journalFolder: journal
        )
        try sink.recover(from: [:])
        try sink.write(self.error(1))
        _ = try sink.commit()
        #expect(try String(contentsOfFile: single, encoding: .utf8).contains("slow.example/1"))
    }
}
