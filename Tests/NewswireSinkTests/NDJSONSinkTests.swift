import Foundation
import NewswireCore
import NewswireSink
import Testing

@Suite struct NDJSONSinkTests {
    private func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func writesOneRecordALineAndAppendsAcrossRuns() throws {
        let folder = try self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("deep/er/articles.ndjson").path
        for run in 0..<2 {
            let sink = NDJSONSink(articles: try LineWriter(.file(path)), errors: nil)
            var article = Article(sequence: SequenceNumber(feed: 0, item: run), url: "https://paper.example/\(run)")
            article.text = "Line one\nline two"
            try sink.write(article)
            try sink.flush()
            #expect(sink.articleCount == 1)
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].contains(#""url":"https://paper.example/0""#))
        #expect(lines[1].contains(#""text":"Line one\nline two""#))
    }

    @Test func errorsGoToTheirOwnFileAndToTheCallback() throws {
        let folder = try self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let errorsPath = folder.appendingPathComponent("errors.ndjson").path
        var seen: [ErrorRecord] = []
        let sink = NDJSONSink(
            articles: try LineWriter(.file(folder.appendingPathComponent("a.ndjson").path)),
            errors: try LineWriter(.file(errorsPath))
        ) { seen.append($0) }
        let record = ErrorRecord(
            kind: .timeout,
            stage: .fetch,
            url: "https://slow.example/feed",
            message: "Operation timed out",
            at: Date(timeIntervalSince1970: 0)
        )
        try sink.write(record)
        try sink.flush()
        #expect(seen == [record])
        let text = try String(contentsOfFile: errorsPath, encoding: .utf8)
        #expect(
            text
                == #"{"kind":"timeout","stage":"fetch","url":"https://slow.example/feed","message":"Operation timed out","attempt":1,"at":"1970-01-01T00:00:00Z"}"#
                + "\n"
        )
    }

    @Test func anUnwritablePathIsAClearError() {
        #expect(throws: StageError.self) {
            _ = try LineWriter(.file("/proc/newswire-cannot-write-here/articles.ndjson"))
        }
    }
}
