import Foundation
public import NewswireCore

/// The named-entity recogniser: an averaged-perceptron BILOU tagger over hashed features, with
/// gazetteers, document-level consistency and linking of mentions within an article.
///
/// Load it once with ``loadDefault()`` (or ``init(directory:)``) and share it: it is an
/// immutable value, so ``extractEntities(title:text:)`` may be called from any number of
/// threads at once.
public struct EntityTagger: EntityExtracting {
    /// The model file's name inside a model directory.
    public static let modelFileName = "entities.model"
    /// The gazetteer files, in the order of their feature lists.
    package static let gazetteerFileNames = [
        "gazetteer-places.txt", "gazetteer-first.txt", "gazetteer-last.txt", "gazetteer-demonyms.txt",
        "gazetteer-org-words.txt",
    ]
    /// The number of hashed feature buckets is `1 << bucketBits`.
    package static let bucketBits = 21

    package let weights: TaggerWeights
    package let extractor: FeatureExtractor
    package let linker: EntityLinker

    package init(
        weights: TaggerWeights,
        gazetteer: Gazetteer,
        clusters: WordClusters = WordClusters(),
        linker: EntityLinker = EntityLinker()
    ) {
        self.weights = weights
        self.extractor = FeatureExtractor(bucketBits: weights.bucketBits, gazetteer: gazetteer, clusters: clusters)
        self.linker = linker
    }

    /// Loads the model that ships with Newswire.
    ///
    /// The model and gazetteers are the `NewswireEntities` target's resources; the environment
    /// variable `NEWSWIRE_ENTITY_MODEL_DIR` names another directory holding the same files.
    ///
    /// - Throws: ``EntityModelError`` when the files are missing or unreadable.
    public static func loadDefault() throws -> EntityTagger {
        try EntityTagger(directory: self.defaultDirectory())
    }

    /// The directory ``loadDefault()`` reads.
    public static func defaultDirectory() -> String {
        if let directory = ProcessInfo.processInfo.environment["NEWSWIRE_ENTITY_MODEL_DIR"], !directory.isEmpty {
            return directory
        }
        return Bundle.module.url(forResource: "Resources", withExtension: nil)?.path
            ?? Bundle.module.bundlePath + "/Resources"
    }

    /// Loads the model file and gazetteers from `directory`.
    ///
    /// - Throws: ``EntityModelError`` when a file is missing or unreadable.
    public init(directory: String) throws {
        let weights = try TaggerWeights(contentsOfFile: directory + "/" + Self.modelFileName)
        let gazetteer = try Self.loadGazetteer(directory: directory)
        self.init(
            weights: weights,
            gazetteer: gazetteer,
            clusters: try Self.loadClusters(directory: directory),
            linker: try EntityLinker(directory: directory)
        )
    }

    /// Reads the word clusters from `directory`.
    package static func loadClusters(directory: String) throws -> WordClusters {
        let path = directory + "/" + WordClusters.fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EntityModelError(path: path, message: "cannot be read")
        }
        return WordClusters(lines: String(decoding: data, as: UTF8.self))
    }

    /// Reads the gazetteer lists from `directory`.
    package static func loadGazetteer(directory: String) throws -> Gazetteer {
        var gazetteer = Gazetteer()
        for name in self.gazetteerFileNames {
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw EntityModelError(path: path, message: "cannot be read")
            }
            let text = String(decoding: data, as: UTF8.self)
            // A list may have a second, tab-separated column (a demonym's place): only the
            // first is a name.
            gazetteer.addList(
                text.split(whereSeparator: \.isNewline).lazy.compactMap {
                    $0.split(separator: "\t", maxSplits: 1).first
                }
            )
        }
        return gazetteer
    }

    /// Tags every token of a document, sentence after sentence, so that earlier predictions
    /// inform later ones; then tags again each sentence whose words the rest of the document
    /// tells more about (a word first seen there and tagged later, say).
    ///
    /// - Returns: one BILOU tag (see ``TagSet``) per token.
    package func tag(_ text: TokenizedText) -> [Int] {
        let features = self.extractor.analyze(text)
        var history = DocumentHistory()
        var tags: [Int] = []
        tags.reserveCapacity(text.tokens.count)
        var buckets: [UInt32] = []
        var ends: [Int] = []
        // The history class each token saw in the first pass.
        var seen: [Int8] = []
        seen.reserveCapacity(text.tokens.count)
        func decode(_ sentence: Range<Int>, _ history: DocumentHistory) -> [Int] {
            buckets.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            self.extractor.sentenceFeatures(
                features,
                sentence: sentence,
                history: history,
                buckets: &buckets,
                ends: &ends
            )
            return self.weights.decode(buckets: buckets, ends: ends)
        }
        for sentence in text.sentences {
            for index in sentence { seen.append(Int8(history.dominantClass(of: features.lower[index]))) }
            let sentenceTags = decode(sentence, history)
            history.record(sentence: sentence, tags: sentenceTags, features: features)
            tags.append(contentsOf: sentenceTags)
        }
        // Second pass: the whole document's predictions as history, only where they differ from
        // what the first pass saw (this gains about 0.3 F1 on CoNLL-2003 for a fraction of the
        // first pass's time).
        if text.sentences.count > 1 {
            for sentence in text.sentences {
                let changed = sentence.contains { index in
                    features.flags[index] & TokenFlag.noAlphanumeric == 0
                        && Int(seen[index]) != history.dominantClass(of: features.lower[index])
                }
                guard changed else { continue }
                let sentenceTags = decode(sentence, history)
                tags.replaceSubrange(sentence, with: sentenceTags)
            }
        }
        Self.repairAcronymDefinitions(text, tags: &tags)
        Self.dropLeadingTitles(text, tags: &tags)
        Self.dropLoneTitles(text, tags: &tags)
        Self.dropTrailingLowerCaseWords(text, features, tags: &tags)
        Self.typeDescribedNames(features, tags: &tags)
        Self.dropCalendarWords(features, tags: &tags)
        Self.typePlaceNames(features, tags: &tags)
        return tags
    }

    /// The mentions in a tagged text: token ranges with a type index.
    package static func mentions(tags: [Int]) -> [(tokens: Range<Int>, type: Int)] {
        var result: [(tokens: Range<Int>, type: Int)] = []
        var start = -1
        for (index, tag) in tags.enumerated() {
            let position = TagSet.position(of: tag)
            if position == TagSet.unit {
                result.append((index..<(index + 1), TagSet.type(of: tag)))
                start = -1
            } else if position == TagSet.begin {
                start = index
            } else if position == TagSet.last && start >= 0 {
                result.append((start..<(index + 1), TagSet.type(of: tag)))
                start = -1
            }
        }
        return result
    }

    /// Finds the entities of an article.
    ///
    /// The title and text are tagged as one document (title first), then mentions are linked
    /// into entities; spans are half-open Unicode scalar offsets into `text` and `title`.
    /// Bounded per article: see ``maxTaggedScalars`` and ``maxEntities``.
    public func extractEntities(title: String?, text: String) -> [Entity] {
        let titleScalars = Self.scalarsWithinBudget(title ?? "")
        let textScalars = Self.scalarsWithinBudget(text)
        var combined = titleScalars
        let textBase: Int
        if titleScalars.isEmpty {
            textBase = 0
        } else {
            combined.append(contentsOf: [0x0A, 0x0A])
            textBase = combined.count
        }
        combined.append(contentsOf: textScalars)
        let tokenized = Tokenizer.tokenize(scalars: combined)
        let tags = self.tag(tokenized)
        let mentions = Self.mentions(tags: tags).map { mention in
            let start = tokenized.tokens[mention.tokens.lowerBound].start
            let end = tokenized.tokens[mention.tokens.upperBound - 1].end
            let inTitle = start < textBase
            return Mention(
                type: mention.type,
                words: mention.tokens.map { tokenized.string($0) },
                start: inTitle ? start : start - textBase,
                end: inTitle ? end : end - textBase,
                inTitle: inTitle,
                text: tokenized.string(from: start, to: end)
            )
        }
        return Self.entitiesWithinBudget(self.linker.link(mentions))
    }
}
