import Foundation
import NewswireArchive
import NewswireCore
import Synchronization
import Testing

@Suite struct WARCWriterTests {
    let directory = ArchiveFixtures.temporaryDirectory()

    private func exchange(_ path: String, status: String = "200 OK", body: [UInt8], at seconds: Double) -> HTTPExchange
    {
        let head = "HTTP/1.1 \(status)\r\nContent-Type: text/html\r\nContent-Length: \(body.count)\r\n\r\n"
        return HTTPExchange(
            targetURI: "https://courier.example\(path)",
            date: Date(timeIntervalSince1970: 1_793_608_200 + seconds),
            ipAddress: "192.0.2.7",
            request: Array("GET \(path) HTTP/1.1\r\nHost: courier.example\r\n\r\n".utf8),
            response: Array(head.utf8) + body
        )
    }

    private func files() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: self.directory).sorted()
    }

    @Test func writesRecordsThatReadBackWithValidDigests() throws {
        let writer = try WARCWriter(configuration: WARCWriter.Configuration(directory: self.directory))
        let page = ArchiveFixtures.page("Council approves tram line", paragraphs: 50)
        let location = try writer.archive(self.exchange("/news/tram", body: page, at: 0))
        #expect(location.offset > 0)  // after the warcinfo record
        let checkpoint = try #require(try writer.commit())
        #expect(try self.files() == [checkpoint.fileName + ".open"])
        try writer.close()
        #expect(try self.files() == [checkpoint.fileName])
        #expect(checkpoint.fileName.hasPrefix("newswire-") && checkpoint.fileName.hasSuffix(".warc.gz"))

        let path = self.directory + "/" + checkpoint.fileName
        let (records, errors) = try ArchiveFixtures.readAll(path, options: WARCReader.Options(verifyDigests: true))
        #expect(errors.isEmpty)
        #expect(records.map(\.type) == [.warcinfo, .response, .request])
        #expect(records.allSatisfy { $0.version == "WARC/1.1" && $0.blockDigest != nil })
        #expect(records[0].headers["WARC-Filename"] == checkpoint.fileName)
        let response = records[1]
        #expect(response.location.offset == location.offset)
        #expect(response.payload == page)
        #expect(response.ipAddress == "192.0.2.7")
        #expect(response.date == Date(timeIntervalSince1970: 1_793_608_200))
        #expect(response.headers["WARC-Warcinfo-ID"] == records[0].recordID)
        #expect(records[2].headers["WARC-Concurrent-To"] == response.recordID)
        // One gzip member per record: a reader opened at the response's offset starts there.
        let single = try WARCReader(path: path, offset: location.offset)
        #expect(try single.next()?.get().recordID == response.recordID)
    }

    @Test func writesRevisitsForNotModifiedAndRepeatedPayloads() throws {
        let writer = try WARCWriter(configuration: WARCWriter.Configuration(directory: self.directory))
        let page = ArchiveFixtures.page("Tide tables for December")
        try writer.archive(self.exchange("/tides", body: page, at: 0))
        try writer.archive(self.exchange("/tides?utm_source=feed", body: page, at: 1))
        try writer.archive(self.exchange("/tides", status: "304 Not Modified", body: [], at: 2))
        try writer.close()
        let (records, errors) = try ArchiveFixtures.readAll(
            self.directory + "/" + writer.closedFiles[0],
            options: WARCReader.Options(verifyDigests: true, recordTypes: [.response, .revisit])
        )
        #expect(errors.isEmpty)
        #expect(records.map(\.type) == [.response, .revisit, .revisit])
        let identical = try #require(records[1].revisit)
        #expect(identical.profile == WARCWriter.identicalPayloadProfile)
        #expect(identical.refersToTargetURI == "https://courier.example/tides")
        #expect(identical.refersToRecordID == records[0].recordID)
        #expect(identical.refersToDate == records[0].date)
        #expect(identical.payloadDigest == records[0].payloadDigest)
        let notModified = try #require(records[2].revisit)
        #expect(notModified.isServerNotModified)
        #expect(notModified.refersToRecordID == records[0].recordID)
        #expect(records[2].http?.status == 304)
    }

    @Test func rotatesBySizeWithNamesThatSortByTime() throws {
        let counter = Counter()
        let writer = try WARCWriter(
            configuration: WARCWriter.Configuration(
                directory: self.directory,
                prefix: "courier",
                maxFileBytes: 6_000,
                deduplicatePayloads: false,
                clock: { Date(timeIntervalSince1970: 1_793_608_200 + counter.next()) }
            )
        )
        for index in 0..<12 {
            try writer.archive(
                self.exchange(
                    "/news/\(index)",
                    body: ArchiveFixtures.page("Story \(index)", paragraphs: 20),
                    at: Double(index)
                )
            )
        }
        try writer.close()
        let names = try self.files()
        #expect(names.count > 2)
        #expect(names == writer.closedFiles)  // creation order is name order
        #expect(names.allSatisfy { $0.hasPrefix("courier-2026110208") && $0.hasSuffix(".warc.gz") })
        var uris: [String] = []
        for name in names {
            let path = self.directory + "/" + name
            let (records, errors) = try ArchiveFixtures.readAll(path, options: WARCReader.Options(verifyDigests: true))
            #expect(errors.isEmpty)
            #expect(records.first?.type == .warcinfo)
            #expect(records.first?.headers["WARC-Filename"] == name)
            uris += records.filter { $0.type == .response }.compactMap(\.targetURI)
            let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
            #expect(size <= 6_000 || records.count <= 3)
        }
        #expect(uris == (0..<12).map { "https://courier.example/news/\($0)" })
    }

    @Test func recoveryCutsTheOpenFileBackToTheCheckpoint() throws {
        let writer = try WARCWriter(configuration: WARCWriter.Configuration(directory: self.directory))
        try writer.archive(self.exchange("/a", body: ArchiveFixtures.page("Committed"), at: 0))
        let checkpoint = try #require(try writer.commit())
        try writer.archive(self.exchange("/b", body: ArchiveFixtures.page("Not committed"), at: 1))
        // A crash: the process dies with the file open and half a record at its end.
        let openPath = try #require(writer.openFilePath)
        let handle = try #require(FileHandle(forWritingAtPath: openPath))
        handle.seekToEndOfFile()
        handle.write(Data(Gzip.compress(ArchiveFixtures.warcinfo()).prefix(25)))
        try handle.close()
        let copy = self.directory + "/" + checkpoint.fileName + ".copy"
        try FileManager.default.copyItem(atPath: openPath, toPath: copy)

        // A second, uncheckpointed open file is cut after its last whole record.
        try FileManager.default.moveItem(atPath: copy, toPath: self.directory + "/zz-other.warc.gz.open")
        let recovered = try WARCWriter.recover(directory: self.directory, checkpoint: checkpoint)
        #expect(recovered == [checkpoint.fileName, "zz-other.warc.gz"])
        let (records, errors) = try ArchiveFixtures.readAll(self.directory + "/" + checkpoint.fileName)
        #expect(errors.isEmpty)
        #expect(records.compactMap(\.targetURI) == ["https://courier.example/a", "https://courier.example/a"])
        let attributes = try FileManager.default.attributesOfItem(atPath: self.directory + "/" + checkpoint.fileName)
        #expect(attributes[.size] as? Int == Int(checkpoint.offset))
        let other = try ArchiveFixtures.readAll(self.directory + "/zz-other.warc.gz")
        #expect(other.errors.isEmpty)
        #expect(other.records.compactMap(\.targetURI).last == "https://courier.example/b")
        #expect(try self.files().allSatisfy { !$0.hasSuffix(".open") })
    }

    @Test(.enabled(if: Warcio.isAvailable, "PyPI warcio is not installed"))
    func warcioChecksAndIndexesWhatWeWrite() throws {
        let writer = try WARCWriter(
            configuration: WARCWriter.Configuration(directory: self.directory, maxFileBytes: 2_500)
        )
        let page = ArchiveFixtures.page("Market day", paragraphs: 30)
        try writer.archive(self.exchange("/market", body: page, at: 0))
        try writer.archive(self.exchange("/market?ref=rss", body: page, at: 1))
        try writer.archive(self.exchange("/market", status: "304 Not Modified", body: [], at: 2))
        var chunked = self.exchange("/live", body: [], at: 3)
        chunked.response =
            Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n".utf8)
            + ArchiveFixtures.chunked(Gzip.compress(page), size: 500)
        try writer.archive(chunked)
        try writer.write(
            type: .resource,
            fields: [HTTPHeaders.Field(name: "WARC-Target-URI", value: "https://courier.example/rss.xml")],
            contentType: "application/rss+xml",
            block: Array("<rss version=\"2.0\"><channel><title>Courier</title></channel></rss>".utf8)
        )
        try writer.close()
        #expect(writer.closedFiles.count >= 2)
        for name in writer.closedFiles {
            let path = self.directory + "/" + name
            let check = try Warcio.run(["check", "-v", path])
            #expect(check.status == 0, "warcio check \(name): \(check.output)")
            let index = try Warcio.run(["index", "-f", "warc-type,warc-target-uri,length,offset", path])
            #expect(index.status == 0, "warcio index \(name): \(index.output)")
            let ours = try ArchiveFixtures.readAll(path)
            let indexed = index.output.split(separator: "\n").filter { !$0.isEmpty }
            #expect(indexed.count == ours.records.count)
            // warcio's offsets are ours.
            for (line, record) in zip(indexed, ours.records) {
                #expect(line.contains("\"offset\": \"\(record.location.offset)\""), "\(line)")
            }
        }
    }
}

/// A thread-safe counter for the test clock.
private final class Counter: Sendable {
    private let value = Mutex(0.0)
    func next() -> Double {
        self.value.withLock {
            $0 += 1
            return $0
        }
    }
}

@Suite struct RevisitResolverTests {
    @Test func resolvesRevisitsToTheirOriginals() throws {
        let directory = ArchiveFixtures.temporaryDirectory()
        let writer = try WARCWriter(configuration: WARCWriter.Configuration(directory: directory, maxFileBytes: 900))
        let page = ArchiveFixtures.page("Lighthouse keeper retires", paragraphs: 12)
        func exchange(_ path: String, _ status: String, _ body: [UInt8], _ seconds: Double) -> HTTPExchange {
            let head = "HTTP/1.1 \(status)\r\nContent-Type: text/html\r\nX-Capture: \(path)\r\n\r\n"
            return HTTPExchange(
                targetURI: "https://courier.example\(path)",
                date: Date(timeIntervalSince1970: 1_793_608_200 + seconds),
                response: Array(head.utf8) + body
            )
        }
        try writer.archive(exchange("/lighthouse", "200 OK", page, 0))
        try writer.archive(exchange("/other", "200 OK", ArchiveFixtures.page("Other"), 1))
        try writer.archive(exchange("/lighthouse?from=rss", "200 OK", page, 2))
        try writer.archive(exchange("/lighthouse", "304 Not Modified", [], 3))
        try writer.close()
        #expect(writer.closedFiles.count > 1)  // the originals are read back from other files

        let resolver = RevisitResolver()
        var resolved: [WARCRecord] = []
        for name in writer.closedFiles {
            for item in try WARCReader(path: directory + "/" + name) {
                let record = try item.get()
                resolver.note(record)
                if record.type == .revisit { resolved.append(try resolver.resolve(record).get()) }
            }
        }
        try #require(resolved.count == 2)
        #expect(resolved.map(\.payload) == [page, page])
        #expect(resolved[0].targetURI == "https://courier.example/lighthouse?from=rss")
        #expect(resolved[0].http?.headers["X-Capture"] == "/lighthouse?from=rss")
        #expect(resolved[1].targetURI == "https://courier.example/lighthouse")
        #expect(resolved[1].http?.status == 200)  // a 304 stands for the original's 200
        #expect(resolved[1].date == Date(timeIntervalSince1970: 1_793_608_203))
        #expect(resolved[1].type == .response)
        #expect(resolved[1].fetchedDocument?.body == page)
        #expect(resolved[1].fetchedDocument?.fetchedAt == Date(timeIntervalSince1970: 1_793_608_203))

        let fresh = RevisitResolver()
        let revisit = try #require(
            try ArchiveFixtures.readAll(directory + "/" + writer.closedFiles.last!).records.last { $0.type == .revisit }
        )
        #expect(throws: WARCError.self) { try fresh.resolve(revisit).get() }
    }
}
