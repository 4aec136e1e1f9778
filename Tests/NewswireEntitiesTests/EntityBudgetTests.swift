import Foundation
import NewswireCore
import Testing

@testable import NewswireEntities

/// The tagger's per-article budget: a text of megabytes costs no more than its first
/// ``EntityTagger/maxTaggedScalars`` scalars, and yields at most ``EntityTagger/maxEntities``.
@Suite struct EntityBudgetTests {
    private static let tagger: Result<EntityTagger, any Error> = Result { try EntityTagger.loadDefault() }

    @Test func aHugeTextIsTaggedOnlyUpToTheBudget() throws {
        let tagger = try Self.tagger.get()
        let words = ["Arvel", "Brisk", "Corran", "Delvy", "Fennick", "Gorse", "Halvard", "Isbet", "Jorvale", "Kestry"]
        var paragraphs: [String] = []
        var size = 0
        var index = 0
        while size < 600_000 {
            let paragraph = "\(words[index % 10]) \(words[(index / 10) % 10]) Met \(words[(index / 3) % 10])."
            paragraphs.append(paragraph)
            size += paragraph.utf8.count + 2
            index += 1
        }
        let text = paragraphs.joined(separator: "\n\n")
        #expect(EntityTagger.exceedsBudget(text))
        let entities = tagger.extractEntities(title: "Names", text: text)
        #expect(entities.count <= EntityTagger.maxEntities)
        let furthest = entities.flatMap(\.spans).map { $0[1] }.max() ?? 0
        #expect(furthest <= EntityTagger.maxTaggedScalars)
        #expect(!entities.isEmpty)
    }

    @Test func theBudgetCutsBetweenWords() {
        let text = String(repeating: "Velmora ", count: 10_000)
        let scalars = EntityTagger.scalarsWithinBudget(text)
        #expect(scalars.count <= EntityTagger.maxTaggedScalars)
        #expect(String(String.UnicodeScalarView(scalars.compactMap(Unicode.Scalar.init))).hasSuffix("Velmora"))
        #expect(EntityTagger.scalarsWithinBudget("short").count == 5)
    }

    @Test func theMostMentionedEntitiesAreKept() {
        let many = (0..<(EntityTagger.maxEntities + 10)).map {
            Entity(type: "LOC", text: "Place \($0)", count: $0 == 3 ? 50 : 1)
        }
        let kept = EntityTagger.entitiesWithinBudget(many)
        #expect(kept.count == EntityTagger.maxEntities)
        #expect(kept.contains { $0.text == "Place 3" })
        #expect(kept.first?.text == "Place 0")
    }
}
