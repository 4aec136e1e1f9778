import Foundation
import NewswireArchive
import Testing

/// The third-party WARC and ARC samples of the shared data folder (warcio, jwarc, UK Web
/// Archive test suites), some broken on purpose: each must be read, or rejected with errors
/// that name the file and an offset inside it, without losing the readable records.
///
/// Opt-in: set `NEWSWIRE_SHARED_DATA` to the shared `data` folder (the one holding
/// `warc-samples/`); the suite is skipped otherwise.
@Suite(.enabled(if: SharedSamples.folder != nil, "NEWSWIRE_SHARED_DATA is not set"))
struct SharedSamplesTests {
    /// File → (records we must read, whether errors are expected). Record counts are those the
    /// samples' README gives from warcio; the broken files' are what survives the fault.
    static let expectations: [String: (records: Int, broken: Bool)] = [
        "warcio/example.warc.gz": (6, false),
        "warcio/example.warc": (6, false),
        "warcio/example-iana.org-chunked.warc": (3, false),
        "warcio/example-resource.warc.gz": (3, false),
        "warcio/example-wget-bad-target-uri.warc.gz": (6, false),
        "warcio/example-space-in-target-uri.warc.gz": (2, false),
        "warcio/post-test.warc.gz": (6, false),
        // Whole-file gzip: read as one stream, every record kept.
        "warcio/example-bad-non-chunked.warc.gz": (6, false),
        "warcio/example-bad.warc.gz.bad": (6, false),
        // A wrong Content-Length: that record is reported, the others read.
        "warcio/example-trunc.warc": (3, true),
        // Content-Length one byte short across odd gzip members: the response is reported.
        "warcio/example-wrong-chunks.warc.gz": (1, true),
        "jwarc/cc.warc.gz": (1, false),
        "jwarc/gzip_extra_sl.warc.gz": (1, false),
        "ukwa-webarchive-test-suite/IAH-20080430204825-00000-blackbook-truncated.warc.gz": (23, false),
        "ukwa-webarchive-test-suite/IAH-20080430204825-00000-blackbook-truncated.warc": (23, false),
        "ukwa-webarchive-test-suite/IAH-urls-wget.warc.gz": (36, false),
        // ARC files are rejected as such.
        "warcio/example.arc": (0, true),
        "warcio/example.arc.gz": (0, true),
        "warcio/example-space-in-url.arc": (0, true),
        "warcio/bad.arc": (0, true),
        "ukwa-webarchive-test-suite/IAH-20080430204825-00000-blackbook-truncated.arc.gz": (0, true),
        "ukwa-webarchive-test-suite/IAH-20080430204825-00000-blackbook-truncated.arc": (0, true),
    ]

    @Test func everySampleIsReadOrRejectedCleanly() throws {
        let folder = try #require(SharedSamples.folder)
        let files = SharedSamples.files(in: folder)
        #expect(files.count >= Self.expectations.count)
        for relative in files {
            let path = folder + "/" + relative
            let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
            let (records, errors) = try ArchiveFixtures.readAll(path)
            for error in errors {
                #expect(error.path == path)
                #expect(error.offset >= 0 && error.offset <= Int64(size), "\(error)")
                #expect(!error.message.isEmpty)
            }
            for record in records {
                #expect(record.location.offset < Int64(size))
                #expect(record.contentLength != nil)
            }
            guard let expected = Self.expectations[relative] else {
                // A sample added later: it must at least be handled without a crash.
                continue
            }
            #expect(records.count == expected.records, "\(relative): \(records.count) records, errors \(errors)")
            #expect(errors.isEmpty == !expected.broken, "\(relative): \(errors)")
            if relative.contains(".arc") {
                #expect(errors.map(\.code) == [.notWARC], "\(relative)")
            }
        }
    }

    @Test func payloadsAreDecodedAndDigestsHold() throws {
        let folder = try #require(SharedSamples.folder)
        // Chunked transfer encoding, digests over the raw chunked body.
        let chunked = try ArchiveFixtures.readAll(
            folder + "/warcio/example-iana.org-chunked.warc",
            options: WARCReader.Options(verifyDigests: true)
        )
        #expect(chunked.errors.isEmpty)
        let page = try #require(chunked.records.first { $0.type == .response })
        let html = String(decoding: page.payload, as: UTF8.self)
        #expect(html.hasPrefix("<!doctype html>") || html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("</html>"))
        // gzip Content-Encoding, and a WARC/1.0 revisit pointing at the original capture.
        let example = try ArchiveFixtures.readAll(
            folder + "/warcio/example.warc.gz",
            options: WARCReader.Options(verifyDigests: true)
        )
        #expect(example.errors.isEmpty)
        let response = try #require(example.records.first { $0.type == .response })
        #expect(String(decoding: response.payload, as: UTF8.self).contains("Example Domain"))
        let revisit = try #require(example.records.first { $0.type == .revisit }?.revisit)
        #expect(revisit.payloadDigest == response.payloadDigest)
        #expect(revisit.refersToTargetURI == response.targetURI)
        // A digest that does not match is reported when asked for.
        let digest = try ArchiveFixtures.readAll(
            folder + "/warcio/example-digest.warc",
            options: WARCReader.Options(verifyDigests: true)
        )
        #expect(digest.errors.map(\.code) == [.digestMismatch])
        // The gzip member with a FEXTRA field.
        let extra = try ArchiveFixtures.readAll(folder + "/jwarc/gzip_extra_sl.warc.gz")
        #expect(extra.records.first?.type == .warcinfo)
    }
}

enum SharedSamples {
    /// `$NEWSWIRE_SHARED_DATA/warc-samples`, when it exists.
    static let folder: String? = {
        guard let data = ProcessInfo.processInfo.environment["NEWSWIRE_SHARED_DATA"] else { return nil }
        let folder = data + "/warc-samples"
        return FileManager.default.fileExists(atPath: folder) ? folder : nil
    }()

    /// The WARC and ARC files under `folder`, as relative paths.
    static func files(in folder: String) -> [String] {
        let walker = FileManager.default.enumerator(atPath: folder)
        var files: [String] = []
        while let relative = walker?.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if name.contains(".warc") || name.contains(".arc") { files.append(relative) }
        }
        return files.sorted()
    }
}
