import Foundation
import NewswireArchive
import NewswireCore
import Testing

@Suite struct WARCReaderTests {
    let directory = ArchiveFixtures.temporaryDirectory()

    /// The same three records, plain and with one gzip member each.
    private func threeRecords() -> [[UInt8]] {
        [
            ArchiveFixtures.warcinfo(),
            ArchiveFixtures.response(
                uri: "https://courier.example/news/harbour-crane",
                headers: [("Content-Type", "text/html"), ("Server", "velmora")],
                body: ArchiveFixtures.page("Harbour crane returns")
            ),
            ArchiveFixtures.record(
                type: "request",
                uri: "https://courier.example/news/harbour-crane",
                contentType: "application/http; msgtype=request",
                block: Array("GET /news/harbour-crane HTTP/1.1\r\nHost: courier.example\r\n\r\n".utf8)
            ),
        ]
    }

    @Test(arguments: [false, true])
    func readsRecordsWithHTTPHeadsAndPayloads(gzipped: Bool) throws {
        let records = self.threeRecords()
        let bytes = gzipped ? records.flatMap { Gzip.compress($0) } : records.flatMap { $0 }
        let path = ArchiveFixtures.write(bytes, to: gzipped ? "a.warc.gz" : "a.warc", in: self.directory)
        let (read, errors) = try ArchiveFixtures.readAll(path)
        #expect(errors.isEmpty)
        try #require(read.count == 3)
        #expect(read.map(\.type) == [.warcinfo, .response, .request])
        #expect(read[0].payload == Array("software: fixture\r\n".utf8))
        let response = read[1]
        #expect(response.version == "WARC/1.1")
        #expect(response.targetURI == "https://courier.example/news/harbour-crane")
        #expect(response.http?.status == 200)
        #expect(response.http?.headers["server"] == "velmora")
        #expect(response.payload == ArchiveFixtures.page("Harbour crane returns"))
        #expect(response.date == Date(timeIntervalSince1970: 1_793_608_200))
        if case .request(let method, let target) = read[2].http?.startLine {
            #expect(method == "GET")
            #expect(target == "/news/harbour-crane")
        } else {
            Issue.record("request line not parsed")
        }
        // Offsets: per-record gzip members give file offsets a reader can start from.
        let expected = gzipped ? [0, Gzip.compress(records[0]).count] : [0, records[0].count]
        #expect(read.prefix(2).map { Int($0.location.offset) } == expected)
        let resumed = try ArchiveFixtures.readAll(path, options: WARCReader.Options())
        #expect(resumed.records.count == 3)
        let fromSecond = try WARCReader(path: path, offset: read[1].location.offset)
        let first = try #require(fromSecond.next())
        #expect(try first.get().targetURI == "https://courier.example/news/harbour-crane")
    }

    @Test(arguments: [false, true])
    func oneReaderSeeksToRecordsInAnyOrder(gzipped: Bool) throws {
        // Bodies of pseudo-random letters, so the compressed file outgrows the reader's input
        // buffer: some seeks land in the bytes already read, others in the file beyond.
        var state: UInt64 = 0x2545_f491_4f6c_dd1d
        let records = (0..<20).map { number in
            let body = (0..<40_000).map { _ -> UInt8 in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(ascii: "a") + UInt8(truncatingIfNeeded: state >> 59) % 26
            }
            return ArchiveFixtures.response(
                uri: "https://courier.example/news/\(number)",
                headers: [("Content-Type", "text/html")],
                body: body
            )
        }
        let bytes = gzipped ? records.flatMap { Gzip.compress($0) } : records.flatMap { $0 }
        #expect(bytes.count > 3 << 17)
        let path = ArchiveFixtures.write(bytes, to: gzipped ? "seek.warc.gz" : "seek.warc", in: self.directory)
        let (read, errors) = try ArchiveFixtures.readAll(path)
        #expect(errors.isEmpty)
        try #require(read.count == 20)
        let reader = try WARCReader(path: path, offset: read[3].location.offset)
        for number in [3, 4, 5, 19, 0, 7, 7, 8, 2, 18, 10, 11, 1] {
            reader.seek(to: read[number].location.offset)
            let record = try #require(try reader.next()?.get())
            #expect(record.targetURI == "https://courier.example/news/\(number)")
            #expect(record.payload == read[number].payload)
            #expect(record.location.offset == read[number].location.offset)
        }
        // After a seek, reading goes on record after record to the end of the file.
        reader.seek(to: read[17].location.offset)
        var rest: [String] = []
        while let item = reader.next() { rest.append(try item.get().targetURI ?? "") }
        #expect(rest == (17..<20).map { "https://courier.example/news/\($0)" })
    }

    @Test func readsAWholeFileGzipAsOneStream() throws {
        let bytes = Gzip.compress(self.threeRecords().flatMap { $0 })
        let path = ArchiveFixtures.write(bytes, to: "whole.warc.gz", in: self.directory)
        let (read, errors) = try ArchiveFixtures.readAll(path)
        #expect(errors.isEmpty)
        #expect(read.map(\.type) == [.warcinfo, .response, .request])
        #expect(read.map(\.location.offset) == [0, 0, 0])
        #expect(read[1].location.uncompressedOffset == Int64(self.threeRecords()[0].count))
    }

    @Test func decodesChunkedAndGzipAndDeflateBodies() throws {
        let page = ArchiveFixtures.page("Ferry timetable changes", paragraphs: 40)
        let gzipBody = Gzip.compress(page)
        // A zlib stream is the gzip member's deflate data between a zlib header and an Adler-32.
        let rawDeflate = Array(gzipBody[10..<(gzipBody.count - 8)])
        let bytes =
            ArchiveFixtures.response(
                uri: "https://courier.example/a",
                headers: [("Transfer-Encoding", "chunked")],
                body: ArchiveFixtures.chunked(page, size: 100)
            )
            + ArchiveFixtures.response(
                uri: "https://courier.example/b",
                headers: [("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")],
                body: ArchiveFixtures.chunked(gzipBody, size: 64)
            )
            + ArchiveFixtures.response(
                uri: "https://courier.example/c",
                headers: [("Content-Encoding", "deflate")],
                body: rawDeflate
            )
            + ArchiveFixtures.response(
                uri: "https://courier.example/d",
                headers: [("Content-Encoding", "br")],
                body: [1, 2, 3]
            )
            // A body stored de-chunked under a kept Transfer-Encoding header.
            + ArchiveFixtures.response(
                uri: "https://courier.example/e",
                headers: [("Transfer-Encoding", "chunked")],
                body: page
            )
        let path = ArchiveFixtures.write(bytes, to: "enc.warc", in: self.directory)
        let (read, errors) = try ArchiveFixtures.readAll(path)
        #expect(errors.isEmpty)
        try #require(read.count == 5)
        #expect(read[0].payload == page)
        #expect(read[1].payload == page)
        #expect(read[2].payload == page)
        #expect(read[3].payload == [1, 2, 3])
        #expect(read[3].remainingContentEncoding == "br")
        #expect(read[4].payload == page)
        let document = try #require(read[1].fetchedDocument)
        #expect(document.body == page)
        #expect(document.headers["Content-Encoding"] == nil)
        #expect(document.status == 200)

        let raw = try ArchiveFixtures.readAll(
            path,
            options: WARCReader.Options(decodeTransferEncoding: false, decodeContentEncoding: false)
        )
        #expect(raw.errors.isEmpty, "\(raw.errors)")
        #expect(raw.records[1].payload == ArchiveFixtures.chunked(gzipBody, size: 64))
    }

    @Test func exposesRevisitTargets() throws {
        let original = ArchiveFixtures.response(
            version: "WARC/1.0",
            uri: "https://courier.example/weather",
            body: ArchiveFixtures.page("Fog over Lake Brena"),
            fields: [("WARC-Payload-Digest", "sha1:AAAABBBBCCCCDDDDEEEEFFFFGGGGHHHH")]
        )
        let revisit = ArchiveFixtures.record(
            type: "revisit",
            uri: "https://courier.example/weather?ref=home",
            date: "2026-11-03T09:00:00.250Z",
            fields: [
                ("WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"),
                ("WARC-Refers-To-Target-URI", "<https://courier.example/weather>"),
                ("WARC-Refers-To-Date", "2026-11-02T08:30:00Z"),
                ("WARC-Payload-Digest", "sha1:AAAABBBBCCCCDDDDEEEEFFFFGGGGHHHH"),
            ],
            contentType: "application/http; msgtype=response",
            block: Array("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n".utf8)
        )
        let path = ArchiveFixtures.write(original + revisit, to: "revisit.warc", in: self.directory)
        let (read, errors) = try ArchiveFixtures.readAll(path)
        #expect(errors.isEmpty)
        try #require(read.count == 2)
        #expect(read[0].revisit == nil)
        let target = try #require(read[1].revisit)
        #expect(target.refersToTargetURI == "https://courier.example/weather")
        #expect(target.refersToDate == Date(timeIntervalSince1970: 1_793_608_200))
        #expect(target.payloadDigest == read[0].payloadDigest)
        #expect(!target.isServerNotModified)
        #expect(read[1].http?.status == 200)
        #expect(read[1].payload.isEmpty)
        #expect(read[1].date == Date(timeIntervalSince1970: 1_793_696_400.25))
    }

    @Test func reportsGarbageBetweenRecordsAndGoesOn() throws {
        let first = ArchiveFixtures.warcinfo()
        let junk = Array("<html>stray bytes from a broken tool</html>\r\n".utf8)
        let second = ArchiveFixtures.response(
            uri: "https://courier.example/x",
            body: ArchiveFixtures.page("Mill reopens")
        )
        let path = ArchiveFixtures.write(first + junk + second, to: "junk.warc", in: self.directory)
        let (read, errors) = try ArchiveFixtures.readAll(path)
        #expect(read.map(\.type) == [.warcinfo, .response])
        try #require(errors.count == 1)
        #expect(errors[0].code == .garbage)
        #expect(errors[0].path == path)
        #expect(errors[0].offset == Int64(first.count))
    }

    @Test func reportsAWrongContentLengthAndResynchronises() throws {
        let good = ArchiveFixtures.warcinfo()
        let block = Array("HTTP/1.1 200 OK\r\n\r\n".utf8) + ArchiveFixtures.page("Bridge vote delayed")
        // Content-Length 40 bytes too long: the block would swallow the start of the next record.
        let bad = ArchiveFixtures.record(
            type: "response",
            uri: "https://courier.example/bad",
            contentType: "application/http; msgtype=response",
            block: block,
            contentLength: block.count + 40
        )
        let next = ArchiveFixtures.response(
            uri: "https://courier.example/next",
            body: ArchiveFixtures.page("School fair")
        )
        let path = ArchiveFixtures.write(good + bad + next + good, to: "len.warc", in: self.directory)
        let (read, errors) = try ArchiveFixtures.readAll(path)
        #expect(read.compactMap(\.targetURI) == ["https://courier.example/next"])
        #expect(read.count == 3)
        try #require(errors.count == 1)
        #expect(errors[0].code == .badTrailer)
        #expect(errors[0].offset == Int64(good.count))
        #expect(errors[0].targetURI == "https://courier.example/bad")
    }

    @Test(arguments: [false, true])
    func reportsATruncatedFile(gzipped: Bool) throws {
        let whole = ArchiveFixtures.warcinfo()
        let last = ArchiveFixtures.response(
            uri: "https://courier.example/cut",
            body: ArchiveFixtures.page("Storm", paragraphs: 30)
        )
        var bytes: [UInt8]
        if gzipped {
            let member = Gzip.compress(last)
            bytes = Gzip.compress(whole) + member.prefix(member.count / 2)
        } else {
            bytes = whole + last.prefix(last.count - 300)
        }
        let path = ArchiveFixtures.write(bytes, to: gzipped ? "cut.warc.gz" : "cut.warc", in: self.directory)
        let (read, errors) = try ArchiveFixtures.readAll(path)
        #expect(read.map(\.type) == [.warcinfo])
        #expect(!errors.isEmpty)
        #expect(errors.allSatisfy { $0.code == .truncated })
        let offset = Int64(gzipped ? Gzip.compress(whole).count : whole.count)
        #expect(errors.contains { $0.offset == offset })
    }

    @Test func reportsACorruptGzipMemberAndReadsTheNextOne() throws {
        let first = Gzip.compress(ArchiveFixtures.warcinfo())
        var broken = Gzip.compress(
            ArchiveFixtures.response(
                uri: "https://courier.example/b",
                body: ArchiveFixtures.page("Bad", paragraphs: 20)
            )
        )
        for index in 20..<60 { broken[index] ^= 0x5A }
        let last = Gzip.compress(
            ArchiveFixtures.response(uri: "https://courier.example/ok", body: ArchiveFixtures.page("Good"))
        )
        let path = ArchiveFixtures.write(first + broken + last, to: "corrupt.warc.gz", in: self.directory)
        let (read, errors) = try ArchiveFixtures.readAll(path)
        #expect(read.first?.type == .warcinfo)
        #expect(read.last?.targetURI == "https://courier.example/ok")
        #expect(errors.contains { $0.code == .gzip && $0.offset == Int64(first.count) })
    }

    @Test func checksDigestsWhenAsked() throws {
        let body = ArchiveFixtures.page("Library hours")
        let block = Array("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n".utf8) + body
        func record(payloadDigest: String) -> [UInt8] {
            ArchiveFixtures.record(
                type: "response",
                uri: "https://courier.example/library",
                fields: [("WARC-Payload-Digest", payloadDigest)],
                contentType: "application/http; msgtype=response",
                block: block
            )
        }
        // The right digest, from a file the writer made, then a wrong one.
        let writerDirectory = self.directory + "/w"
        let writer = try WARCWriter(configuration: WARCWriter.Configuration(directory: writerDirectory))
        try writer.archive(
            HTTPExchange(targetURI: "https://courier.example/library", date: Date(), response: block)
        )
        try writer.close()
        let written = try ArchiveFixtures.readAll(writerDirectory + "/" + writer.closedFiles[0])
        let digest = try #require(written.records.last?.payloadDigest)
        let path = ArchiveFixtures.write(
            record(payloadDigest: digest) + record(payloadDigest: "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"),
            to: "digest.warc",
            in: self.directory
        )
        let unchecked = try ArchiveFixtures.readAll(path)
        #expect(unchecked.records.count == 2)
        #expect(unchecked.errors.isEmpty)
        let checked = try ArchiveFixtures.readAll(path, options: WARCReader.Options(verifyDigests: true))
        #expect(checked.records.count == 1)
        try #require(checked.errors.count == 1)
        #expect(checked.errors[0].code == .digestMismatch)
        #expect(checked.errors[0].offset == Int64(record(payloadDigest: digest).count))
    }

    @Test func skipsRecordsOverTheLimitAndFilteredTypes() throws {
        let big = ArchiveFixtures.response(
            uri: "https://courier.example/big",
            body: ArchiveFixtures.page("Long read", paragraphs: 400)
        )
        let small = ArchiveFixtures.response(uri: "https://courier.example/small", body: ArchiveFixtures.page("Brief"))
        let bytes = ArchiveFixtures.warcinfo() + big + small
        let path = ArchiveFixtures.write(bytes, to: "big.warc", in: self.directory)
        let limited = try ArchiveFixtures.readAll(path, options: WARCReader.Options(maxRecordBytes: 10_000))
        #expect(limited.records.compactMap(\.targetURI) == ["https://courier.example/small"])
        try #require(limited.errors.count == 1)
        #expect(limited.errors[0].code == .tooLarge)
        #expect(limited.errors[0].targetURI == "https://courier.example/big")
        let responses = try ArchiveFixtures.readAll(path, options: WARCReader.Options(recordTypes: [.response]))
        #expect(responses.records.map(\.type) == [.response, .response])
        #expect(responses.errors.isEmpty)
    }

    @Test func rejectsAFileThatIsNotWARC() throws {
        let path = ArchiveFixtures.write(
            Array("filedesc://x.arc 0.0.0.0 20260101000000 text/plain 76\n".utf8),
            to: "x.arc",
            in: self.directory
        )
        let (read, errors) = try ArchiveFixtures.readAll(path)
        #expect(read.isEmpty)
        #expect(errors.map(\.code) == [.notWARC])
        #expect(throws: WARCError.self) { try WARCReader(path: self.directory + "/missing.warc") }
    }

    @Test func parsesWARCDates() {
        #expect(WARCDate.parse("2026-11-02T08:30:00Z") == Date(timeIntervalSince1970: 1_793_608_200))
        #expect(WARCDate.parse("2026-11-02T08:30:00.5Z") == Date(timeIntervalSince1970: 1_793_608_200.5))
        #expect(WARCDate.parse("2026-11-02") == Date(timeIntervalSince1970: 1_793_577_600))
        #expect(WARCDate.parse("2026-11-02T08:30:00") == nil)
        #expect(WARCDate.parse("yesterday") == nil)
        #expect(WARCDate.string(from: Date(timeIntervalSince1970: 1_793_608_200)) == "2026-11-02T08:30:00Z")
        #expect(WARCDate.string(from: Date(timeIntervalSince1970: 1_793_608_200.25)) == "2026-11-02T08:30:00.250000Z")
    }
}

@Suite struct WARCReaderBoundaryTests {
    /// Record headers that straddle the reader's reads (256 KiB) are read whole, wherever
    /// the cut falls in them.
    @Test func headersCutByAReadAreReadWhole() throws {
        let directory = ArchiveFixtures.temporaryDirectory()
        let read = 1 << 18
        let second = ArchiveFixtures.response(
            uri: "https://courier.example/after-the-cut",
            body: ArchiveFixtures.page("Cut")
        )
        for cut in stride(from: 1, to: 260, by: 7) {
            func first(_ count: Int) -> [UInt8] {
                ArchiveFixtures.record(
                    type: "resource",
                    uri: "https://courier.example/filler",
                    contentType: "text/plain",
                    block: [UInt8](repeating: UInt8(ascii: "x"), count: count)
                )
            }
            let probe = first(read - 1000).count
            let filler = first(read - 1000 + (read - cut - probe))
            #expect(filler.count == read - cut)
            let path = ArchiveFixtures.write(filler + second, to: "cut-\(cut).warc", in: directory)
            let (records, errors) = try ArchiveFixtures.readAll(path)
            #expect(errors.isEmpty, "cut \(cut) bytes into the header: \(errors)")
            #expect(records.last?.targetURI == "https://courier.example/after-the-cut")
        }
    }
}
