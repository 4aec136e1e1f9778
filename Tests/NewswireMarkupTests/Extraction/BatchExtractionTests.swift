import Foundation
import NewswireCore
import NewswireMarkup
import Synchronization
import Testing

@Suite struct BatchExtractionTests {
    @Test func writesEveryPageKeyedByIdInOrder() throws {
        LibXML2.initialize()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("batch-\(UUID().uuidString)")
        let html = directory.appendingPathComponent("html")
        try FileManager.default.createDirectory(at: html, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["b", "a", "c"] {
            try ExtractionFixtures.cluttered().write(
                to: html.appendingPathComponent("\(name).html"),
                atomically: true,
                encoding: .utf8
            )
        }
        try "not html".write(to: html.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let pages = try BatchPage.pages(in: directory.path)
        #expect(pages.map(\.id) == ["a", "b", "c"])

        let output = Mutex<[UInt8]>([])
        let failures = BatchExtraction(jobs: 2, format: .json).run(
            pages + [BatchPage(id: "gone", path: "/nonexistent")]
        ) {
            bytes in output.withLock { $0 += bytes }
        }
        #expect(failures == 1)
        let data = Data(output.withLock { $0 })
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        #expect(Set(object.keys) == ["a", "b", "c", "gone"])
        let body = try #require(object["a"]?["articleBody"] as? String)
        #expect(body.contains(ExtractionFixtures.storyParagraphs[0]))
        #expect(object["gone"]?["articleBody"] as? String == "")
        #expect(object["gone"]?["error"] != nil)
    }
}
