/// The BILOU tags over the CoNLL-2003 types.
///
/// Tag 0 is `O`; type `k` (0 PER, 1 ORG, 2 LOC, 3 MISC) has `B` at `1 + 4k`, `I` at `2 + 4k`,
/// `L` at `3 + 4k` and `U` at `4 + 4k`.
package enum TagSet {
    /// The entity types, in tag order.
    package static let types = ["PER", "ORG", "LOC", "MISC"]
    /// The number of tags.
    package static let count = 1 + 4 * 4

    package static let begin = 0
    package static let inside = 1
    package static let last = 2
    package static let unit = 3

    /// The tag for a type index and a position (``begin``, ``inside``, ``last``, ``unit``).
    @inline(__always)
    package static func tag(type: Int, position: Int) -> Int { 1 + 4 * type + position }

    /// The type index of a tag, or -1 for `O`.
    @inline(__always)
    package static func type(of tag: Int) -> Int { tag == 0 ? -1 : (tag - 1) / 4 }

    /// The position of a tag (``begin`` …), or -1 for `O`.
    @inline(__always)
    package static func position(of tag: Int) -> Int { tag == 0 ? -1 : (tag - 1) % 4 }

    /// The tag's name, such as `B-PER` or `O`.
    package static func name(_ tag: Int) -> String {
        guard tag != 0 else { return "O" }
        return ["B", "I", "L", "U"][self.position(of: tag)] + "-" + self.types[self.type(of: tag)]
    }

    /// Whether `next` may follow `previous` in a BILOU sequence.
    package static func allows(_ previous: Int, _ next: Int) -> Bool {
        let open =
            previous != 0 && (self.position(of: previous) == self.begin || self.position(of: previous) == self.inside)
        if open {
            let position = self.position(of: next)
            return next != 0 && self.type(of: next) == self.type(of: previous)
                && (position == self.inside || position == self.last)
        }
        return next == 0 || self.position(of: next) == self.begin || self.position(of: next) == self.unit
    }

    /// Whether a sentence may start with `tag`.
    package static func allowsStart(_ tag: Int) -> Bool { self.allows(0, tag) }

    /// Whether a sentence may end with `tag`.
    package static func allowsEnd(_ tag: Int) -> Bool {
        tag == 0 || self.position(of: tag) == self.last || self.position(of: tag) == self.unit
    }

    /// BILOU tags from a sentence's CoNLL tags (IOB1, IOB2 or BILOU/IOBES).
    package static func bilou(fromConll tags: [String]) -> [Int] {
        var spans: [(start: Int, end: Int, type: Int)] = []
        var current: (start: Int, type: Int)?
        for (index, tag) in tags.enumerated() {
            let (prefix, typeName) = split(tag)
            let type = typeName.flatMap { self.types.firstIndex(of: $0) }
            if prefix == "O" || type == nil {
                if let open = current { spans.append((open.start, index, open.type)) }
                current = nil
                continue
            }
            let begins = prefix == "B" || prefix == "U" || prefix == "S" || current == nil || current?.type != type
            if begins {
                if let open = current { spans.append((open.start, index, open.type)) }
                current = (index, type!)
            }
            if prefix == "L" || prefix == "E" || prefix == "U" || prefix == "S" {
                if let open = current { spans.append((open.start, index + 1, open.type)) }
                current = nil
            }
        }
        if let open = current { spans.append((open.start, tags.count, open.type)) }
        var result = Array(repeating: 0, count: tags.count)
        for span in spans {
            if span.end - span.start == 1 {
                result[span.start] = self.tag(type: span.type, position: self.unit)
            } else {
                result[span.start] = self.tag(type: span.type, position: self.begin)
                for index in (span.start + 1)..<(span.end - 1) {
                    result[index] = self.tag(type: span.type, position: self.inside)
                }
                result[span.end - 1] = self.tag(type: span.type, position: self.last)
            }
        }
        return result
    }
}

private func split(_ tag: String) -> (String, String?) {
    if tag == "O" || tag.isEmpty { return ("O", nil) }
    let parts = tag.split(separator: "-", maxSplits: 1)
    if parts.count == 2 { return (String(parts[0]).uppercased(), String(parts[1])) }
    return ("I", tag)
}

extension TagSet {
    /// The tags each token of a partially labelled sentence may have, as bit sets over tag
    /// indices, or `nil` when every tag of the sentence is known.
    ///
    /// A partial tag lists the classes a token may belong to, `|`-separated: `O|MISC` says the
    /// token is outside the labelled types but may be inside a MISC name (a set that does not
    /// label MISC); `O|PER|ORG|LOC|MISC` says nothing. Such a token may take `O` or any position
    /// of the listed types; tokens with ordinary tags keep the tag ``bilou(fromConll:)`` gives them
    /// (partial tokens count as `O` there, so a name next to one ends before it).
    package static func allowedTags(fromConll tags: [String]) -> [UInt32]? {
        guard tags.contains(where: { $0.contains("|") }) else { return nil }
        let known = self.bilou(fromConll: tags.map { $0.contains("|") ? "O" : $0 })
        return zip(tags, known).map { tag, fixed in
            guard tag.contains("|") else { return 1 << UInt32(fixed) }
            var allowed: UInt32 = 0
            for part in tag.split(separator: "|") {
                if part == "O" {
                    allowed |= 1
                } else if let type = self.types.firstIndex(of: String(part)) {
                    for position in 0..<4 { allowed |= 1 << UInt32(self.tag(type: type, position: position)) }
                }
            }
            return allowed
        }
    }
}
