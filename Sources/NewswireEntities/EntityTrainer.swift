import Foundation
import NewswireCore

/// One document of a CoNLL file: its sentences' tokens and tags.
package struct ConllDocument: Sendable {
    package var sentences: [[String]] = []
    /// The last column of each token line (IOB1, IOB2 or BILOU tags).
    package var tags: [[String]] = []

    package init() {}
}

/// Reads CoNLL-format files: one token a line with its tag in the last column, blank lines
/// between sentences, `-DOCSTART-` lines between documents.
package enum ConllReader {
    /// Parses a CoNLL file's text into documents.
    package static func parse(_ text: String) -> [ConllDocument] {
        var documents: [ConllDocument] = []
        var document = ConllDocument()
        var sentence: [String] = []
        var tags: [String] = []
        func endSentence() {
            if !sentence.isEmpty {
                document.sentences.append(sentence)
                document.tags.append(tags)
            }
            sentence = []
            tags = []
        }
        func endDocument() {
            endSentence()
            if !document.sentences.isEmpty { documents.append(document) }
            document = ConllDocument()
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let columns = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if columns.isEmpty {
                endSentence()
            } else if columns[0] == "-DOCSTART-" {
                endDocument()
            } else {
                sentence.append(String(columns[0]))
                tags.append(columns.count > 1 ? String(columns[columns.count - 1]) : "O")
            }
        }
        endDocument()
        return documents
    }

    /// Reads and parses a CoNLL file.
    ///
    /// - Throws: ``EntityModelError`` when the file cannot be read.
    package static func read(path: String) throws -> [ConllDocument] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EntityModelError(path: path, message: "cannot be read")
        }
        return self.parse(String(decoding: data, as: UTF8.self))
    }
}

/// Trains the tagger's weights with the averaged structured perceptron (Collins 2002).
///
/// Documents are tagged sentence after sentence, as at run time, so the document-history
/// features see the model's own earlier predictions (Ratinov and Roth 2009). Single-threaded.
package struct EntityTrainer {
    package var extractor: FeatureExtractor
    package var epochs: Int
    /// Seeds the shuffling of documents between epochs.
    package var seed: UInt64 = 0x5EED_1234
    /// The chance that training leaves out each feature of a token for one sentence's update
    /// (dropout for a linear model), so that no single feature, such as the word itself, carries
    /// a decision alone.
    package var featureDropout: Double = 0

    package init(extractor: FeatureExtractor, epochs: Int) {
        self.extractor = extractor
        self.epochs = epochs
    }

    private struct Prepared {
        var text: TokenizedText
        var features: DocumentFeatures
        var gold: [[Int]]
        /// Per sentence, the tags each token may have when its labels are partial.
        var allowed: [[UInt32]?]
    }

    private func prepare(_ documents: [ConllDocument]) -> [Prepared] {
        documents.map { document in
            let text = TokenizedText(sentences: document.sentences)
            return Prepared(
                text: text,
                features: self.extractor.analyze(text),
                gold: document.tags.map { TagSet.bilou(fromConll: $0) },
                allowed: document.tags.map { TagSet.allowedTags(fromConll: $0) }
            )
        }
    }

    private struct DenseWeights {
        var rows: [Float]
        var transitions: [Float]
        var start: [Float]
        var end: [Float]

        func sparse(bucketBits: Int) -> TaggerWeights {
            TaggerWeights(
                bucketBits: bucketBits,
                dense: self.rows,
                transitions: self.transitions,
                start: self.start,
                end: self.end
            )
        }
    }

    /// Trains on `documents`, reporting entity F1 on `development` after each epoch.
    ///
    /// With several `runs`, each run shuffles the documents differently and the result is the
    /// mean of the runs' averaged weights (still one linear model, so tagging costs the same).
    ///
    /// - Parameter report: receives one line of progress per epoch.
    package func train(
        _ documents: [ConllDocument],
        development: [ConllDocument] = [],
        runs: Int = 1,
        report: (String) -> Void
    ) -> TaggerWeights {
        let training = self.prepare(documents)
        let held = self.prepare(development)
        var sum: DenseWeights?
        for run in 0..<max(runs, 1) {
            let seed = self.seed &+ UInt64(run) &* 0x9E37_79B9
            let weights = self.trainOnce(training, held, seed: seed) { report("run \(run + 1) \($0)") }
            if var total = sum {
                for index in total.rows.indices { total.rows[index] += weights.rows[index] }
                for index in total.transitions.indices { total.transitions[index] += weights.transitions[index] }
                for index in total.start.indices {
                    total.start[index] += weights.start[index]
                    total.end[index] += weights.end[index]
                }
                sum = total
            } else {
                sum = weights
            }
        }
        var mean = sum!
        let scale = 1 / Float(max(runs, 1))
        mean.rows = mean.rows.map { $0 * scale }
        mean.transitions = mean.transitions.map { $0 * scale }
        mean.start = mean.start.map { $0 * scale }
        mean.end = mean.end.map { $0 * scale }
        let result = mean.sparse(bucketBits: self.extractor.bucketBits)
        if runs > 1 && !held.isEmpty {
            let score = self.evaluate(result, held)
            report(
                String(
                    format: "mean of %d runs: development F1 %.4f (P %.4f R %.4f)",
                    runs,
                    score.f1,
                    score.precision,
                    score.recall
                )
            )
        }
        return result
    }

    private func trainOnce(
        _ training: [Prepared],
        _ held: [Prepared],
        seed: UInt64,
        report: (String) -> Void
    ) -> DenseWeights {
        let tags = TagSet.count
        let bits = self.extractor.bucketBits
        var weights = [Float](repeating: 0, count: (1 << bits) * tags)
        var totals = [Double](repeating: 0, count: (1 << bits) * tags)
        var transitions = [Float](repeating: 0, count: tags * tags)
        var transitionTotals = [Double](repeating: 0, count: tags * tags)
        var start = [Float](repeating: 0, count: tags)
        var startTotals = [Double](repeating: 0, count: tags)
        var end = [Float](repeating: 0, count: tags)
        var endTotals = [Double](repeating: 0, count: tags)
        var step = 1.0
        var order = Array(training.indices)
        var random = SeededGenerator(seed: seed)
        var buckets: [UInt32] = []
        var ends: [Int] = []
        var emissions: [Float] = []

        func averaged() -> DenseWeights {
            func average(_ w: [Float], _ t: [Double]) -> [Float] {
                zip(w, t).map { Float(Double($0) - $1 / step) }
            }
            return DenseWeights(
                rows: average(weights, totals),
                transitions: average(transitions, transitionTotals),
                start: average(start, startTotals),
                end: average(end, endTotals)
            )
        }

        for epoch in 1...self.epochs {
            let began = Date()
            random.shuffle(&order)
            var mistakes = 0
            var tokens = 0
            for documentIndex in order {
                let document = training[documentIndex]
                var history = DocumentHistory()
                for (sentenceIndex, sentence) in document.text.sentences.enumerated() {
                    buckets.removeAll(keepingCapacity: true)
                    ends.removeAll(keepingCapacity: true)
                    self.extractor.sentenceFeatures(
                        document.features,
                        sentence: sentence,
                        history: history,
                        buckets: &buckets,
                        ends: &ends
                    )
                    let count = ends.count
                    guard count > 0 else { continue }
                    if self.featureDropout > 0 {
                        Self.drop(&buckets, ends: &ends, chance: self.featureDropout, random: &random)
                    }
                    tokens += count
                    emissions.removeAll(keepingCapacity: true)
                    emissions.append(contentsOf: repeatElement(0, count: count * tags))
                    weights.withUnsafeBufferPointer { weights in
                        emissions.withUnsafeMutableBufferPointer { emissions in
                            var begin = 0
                            for token in 0..<count {
                                for bucket in buckets[begin..<ends[token]] {
                                    let base = Int(bucket) * tags
                                    for tag in 0..<tags { emissions[token * tags + tag] += weights[base + tag] }
                                }
                                begin = ends[token]
                            }
                        }
                    }
                    let predicted = viterbi(
                        emissions: emissions,
                        count: count,
                        transitions: transitions,
                        start: start,
                        end: end
                    )
                    var gold = document.gold[sentenceIndex]
                    // Partial labels: the gold path is the best one the labels allow.
                    if let allowed = document.allowed[sentenceIndex] {
                        for token in 0..<count {
                            for tag in 0..<tags where allowed[token] & (1 << UInt32(tag)) == 0 {
                                emissions[token * tags + tag] = -1e20
                            }
                        }
                        gold = viterbi(
                            emissions: emissions,
                            count: count,
                            transitions: transitions,
                            start: start,
                            end: end
                        )
                    }
                    if predicted != gold {
                        mistakes += 1
                        let c = step
                        func update(_ tag: Int, _ delta: Float, token: Int) {
                            let begin = token == 0 ? 0 : ends[token - 1]
                            for bucket in buckets[begin..<ends[token]] {
                                let index = Int(bucket) * tags + tag
                                weights[index] += delta
                                totals[index] += c * Double(delta)
                            }
                        }
                        for token in 0..<count where predicted[token] != gold[token] {
                            update(gold[token], 1, token: token)
                            update(predicted[token], -1, token: token)
                        }
                        for (path, delta) in [(gold, Float(1)), (predicted, Float(-1))] {
                            start[path[0]] += delta
                            startTotals[path[0]] += c * Double(delta)
                            end[path[count - 1]] += delta
                            endTotals[path[count - 1]] += c * Double(delta)
                            for token in 1..<max(count, 1) {
                                let index = path[token - 1] * tags + path[token]
                                transitions[index] += delta
                                transitionTotals[index] += c * Double(delta)
                            }
                        }
                    }
                    history.record(sentence: sentence, tags: predicted, features: document.features)
                    step += 1
                }
            }
            var line =
                "epoch \(epoch): \(tokens) tokens, \(mistakes) sentences wrong, "
                + "\(String(format: "%.1f", Date().timeIntervalSince(began))) s"
            if !held.isEmpty {
                let model = averaged().sparse(bucketBits: bits)
                let score = self.evaluate(model, held)
                line += String(format: ", development F1 %.4f (P %.4f R %.4f)", score.f1, score.precision, score.recall)
            }
            report(line)
        }
        return averaged()
    }

    /// Leaves out each bucket with the given chance, keeping `ends` in step.
    private static func drop(
        _ buckets: inout [UInt32],
        ends: inout [Int],
        chance: Double,
        random: inout SeededGenerator
    ) {
        let threshold = UInt64(chance * Double(UInt64.max >> 11)) << 11
        var kept = 0
        var begin = 0
        for token in ends.indices {
            for index in begin..<ends[token] where random.next() >= threshold {
                buckets[kept] = buckets[index]
                kept += 1
            }
            begin = ends[token]
            ends[token] = kept
        }
        buckets.removeLast(buckets.count - kept)
    }

    private func evaluate(
        _ weights: TaggerWeights,
        _ documents: [Prepared]
    ) -> (precision: Double, recall: Double, f1: Double) {
        let tagger = EntityTagger(
            weights: weights,
            gazetteer: self.extractor.gazetteer,
            clusters: self.extractor.clusters
        )
        var found = 0
        var correct = 0
        var expected = 0
        for document in documents {
            let predicted = tagger.tag(document.text)
            var offset = 0
            for (sentence, gold) in zip(document.text.sentences, document.gold) {
                let guess = Array(predicted[offset..<(offset + sentence.count)])
                offset += sentence.count
                let goldMentions = Set(EntityTagger.mentions(tags: gold).map { "\($0.tokens) \($0.type)" })
                let guessMentions = Set(EntityTagger.mentions(tags: guess).map { "\($0.tokens) \($0.type)" })
                found += guessMentions.count
                expected += goldMentions.count
                correct += goldMentions.intersection(guessMentions).count
            }
        }
        let precision = found == 0 ? 0 : Double(correct) / Double(found)
        let recall = expected == 0 ? 0 : Double(correct) / Double(expected)
        let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
        return (precision, recall, f1)
    }
}

extension SeededGenerator {
    fileprivate mutating func shuffle(_ array: inout [Int]) {
        guard array.count > 1 else { return }
        for index in stride(from: array.count - 1, to: 0, by: -1) {
            let other = Int(self.next() % UInt64(index + 1))
            array.swapAt(index, other)
        }
    }
}
