import NewswireCore

// The per-article budget of the tagger. Its cost grows with the text, and a hostile page
// (megabytes of short capitalised paragraphs, under the body limit) once cost 30 s of CPU and
// gave 10,522 entities; these bounds keep one article under a fraction of a second.
extension EntityTagger {
    /// Unicode scalars of text (and of the title) the tagger reads at most: about 10,000
    /// words, longer than nearly any news article. Past it the text is not tagged; the
    /// offsets of the entities found stay right, since the cut only drops the end.
    public static let maxTaggedScalars = 60_000

    /// Entities returned for one article at most, the most mentioned first kept.
    public static let maxEntities = 500

    /// Whether `text` is longer than the tagger reads.
    public static func exceedsBudget(_ text: String) -> Bool {
        text.unicodeScalars.count > Self.maxTaggedScalars
    }

    /// The scalars of `text` up to the budget, cut after the last white space before it
    /// so no word is split.
    static func scalarsWithinBudget(_ text: String) -> [UInt32] {
        var scalars: [UInt32] = []
        scalars.reserveCapacity(min(text.utf8.count, Self.maxTaggedScalars))
        for scalar in text.unicodeScalars {
            guard scalars.count < Self.maxTaggedScalars else {
                if let space = scalars.lastIndex(where: { $0 == 0x20 || $0 == 0x0A }) {
                    scalars.removeSubrange(space...)
                }
                return scalars
            }
            scalars.append(scalar.value)
        }
        return scalars
    }

    static func entitiesWithinBudget(_ entities: [Entity]) -> [Entity] {
        guard entities.count > Self.maxEntities else { return entities }
        let ranked = entities.enumerated().sorted {
            ($0.element.count, -$0.offset) > ($1.element.count, -$1.offset)
        }
        let kept = Set(ranked.prefix(Self.maxEntities).map(\.offset))
        return entities.enumerated().filter { kept.contains($0.offset) }.map(\.element)
    }
}
