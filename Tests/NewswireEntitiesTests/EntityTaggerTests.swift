import Foundation
import NewswireCore
import Synchronization
import Testing

@testable import NewswireEntities

/// Gold tests on articles written for these tests (`Fixtures/article-*.txt`: first line the
/// title, then the text), each with its expected mentions (`article-*.entities`: `TYPE<TAB>form`).
@Suite struct EntityTaggerTests {
    private static let tagger: Result<EntityTagger, any Error> = Result { try EntityTagger.loadDefault() }

    private func fixture(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
        return try String(contentsOf: url, encoding: .utf8)
    }

    private func article(_ number: Int) throws -> (title: String, text: String, expected: Set<String>) {
        try self.article(named: "article-\(number)")
    }

    private func article(named name: String) throws -> (title: String, text: String, expected: Set<String>) {
        let content = try self.fixture("\(name).txt")
        let newline = try #require(content.firstIndex(of: "\n"))
        let expected = try self.fixture("\(name).entities").split(separator: "\n").map(String.init)
        return (String(content[..<newline]), String(content[content.index(after: newline)...]), Set(expected))
    }

    /// Every (type, form) the tagger reports, with each span checked against the text.
    private func found(_ entities: [Entity], title: String, text: String) -> Set<String> {
        var result = Set<String>()
        let textScalars = Array(text.unicodeScalars)
        let titleScalars = Array(title.unicodeScalars)
        for entity in entities {
            let forms = Set([entity.text] + entity.aliases)
            #expect(entity.count == entity.spans.count + entity.titleSpans.count)
            for (spans, scalars) in [(entity.spans, textScalars), (entity.titleSpans, titleScalars)] {
                for span in spans {
                    var written = String.UnicodeScalarView()
                    written.append(contentsOf: scalars[span[0]..<span[1]])
                    #expect(forms.contains(String(written)), "span \(span) of \(entity.text)")
                }
            }
            for form in forms { result.insert("\(entity.type)\t\(form)") }
        }
        return result
    }

    /// Articles written for these tests, then the demo site's articles (pipelines/demo-site),
    /// as plain text. Names in them are invented, so the tagger must generalise.
    @Test(arguments: ["article-1", "article-2", "demo-harbour", "demo-rail", "demo-stadium"])
    func findsTheEntitiesOfAnArticle(name: String) throws {
        let tagger = try Self.tagger.get()
        let article = try self.article(named: name)
        let entities = tagger.extractEntities(title: article.title, text: article.text)
        let found = self.found(entities, title: article.title, text: article.text)
        let correct = found.intersection(article.expected).count
        let precision = Double(correct) / Double(max(found.count, 1))
        let recall = Double(correct) / Double(article.expected.count)
        let f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        #expect(
            f1 >= 0.6,
            "F1 \(f1); missing \(article.expected.subtracting(found).sorted()); extra \(found.subtracting(article.expected).sorted())"
        )
    }

    @Test func linksAcronymsAndShortFormsInAnArticle() throws {
        let tagger = try Self.tagger.get()
        let article = try self.article(1)
        let entities = tagger.extractEntities(title: article.title, text: article.text)
        let authority = try #require(entities.first { $0.text == "Velmar Ports Authority" })
        #expect(authority.type == "ORG")
        #expect(authority.aliases.contains("VPA"))
        #expect(authority.count == 3)
        let leader = try #require(entities.first { $0.text == "Teodora Vasquez" })
        #expect(leader.type == "PER")
        #expect(leader.aliases == ["Vasquez"])
        #expect(leader.count == 2)
    }

    @Test func tagsTitlesSeparately() throws {
        let tagger = try Self.tagger.get()
        let entities = tagger.extractEntities(
            title: "Mara Okafor visits Lisbon",
            text: "Mara Okafor, the mayor of Porto, arrived in Lisbon on Monday."
        )
        let lisbon = try #require(entities.first { $0.text == "Lisbon" })
        #expect(lisbon.type == "LOC")
        #expect(lisbon.titleSpans == [[19, 25]])
        #expect(lisbon.spans == [[44, 50]])
        let okafor = try #require(entities.first { $0.text == "Mara Okafor" })
        #expect(okafor.type == "PER")
        #expect(okafor.titleSpans == [[0, 11]])
        #expect(okafor.spans == [[0, 11]])
    }

    @Test func isSafeToShareBetweenThreads() throws {
        let tagger = try Self.tagger.get()
        let article = try self.article(2)
        let expected = tagger.extractEntities(title: article.title, text: article.text)
        let results = Mutex<[[Entity]]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let entities = tagger.extractEntities(title: article.title, text: article.text)
            results.withLock { $0.append(entities) }
        }
        #expect(results.withLock { $0 }.allSatisfy { $0 == expected })
    }

    @Test func findsNothingInEmptyText() throws {
        let tagger = try Self.tagger.get()
        #expect(tagger.extractEntities(title: nil, text: "").isEmpty)
        #expect(tagger.extractEntities(title: "", text: " \n ").isEmpty)
    }

    @Test func refusesAMissingModel() {
        #expect(throws: EntityModelError.self) { try EntityTagger(directory: "/nonexistent/newswire-model") }
    }

    @Test func modelFilesRoundTrip() throws {
        let tagger = try Self.tagger.get()
        let bytes = tagger.weights.serialized()
        let copy = try TaggerWeights(serialized: bytes, path: "copy")
        #expect(copy.rows == tagger.weights.rows)
        #expect(copy.buckets == tagger.weights.buckets)
        #expect(copy.transitions == tagger.weights.transitions)
        var damaged = bytes
        damaged.removeLast()
        #expect(throws: EntityModelError.self) { try TaggerWeights(serialized: damaged, path: "damaged") }
    }

    @Test func tagsConllTokensWithoutRetokenising() throws {
        let tagger = try Self.tagger.get()
        let conll =
            "-DOCSTART- -X- O\n\nMara NNP I-PER\nOkafor NNP I-PER\narrived VBD O\nin IN O\nNairobi NNP I-LOC\n"
            + "on IN O\nMonday NNP O\n. . O\n\n"
        let lines = tagger.tagConll(conll).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == conll.split(separator: "\n", omittingEmptySubsequences: false).count)
        #expect(lines[2] == "Mara B-PER")
        #expect(lines[3] == "Okafor I-PER")
        #expect(lines[6] == "Nairobi B-LOC")
    }
}
