import ArgumentParser
import Foundation
import Glibc
import Logging
import NewswireCore
import NewswireEntities

/// `newswire entities`: finds people, organisations, places and other names in plain text.
struct Entities: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Finds named entities in plain text and prints them as JSON.",
        discussion: """
            newswire entities FILE|-          prints {"entities": [...]} for the text of FILE
            newswire entities --conll FILE    prints `token tag` per token line of a CoNLL file
            Training (scripts/train-entities): newswire entities --train-model OUT TRAIN.conll... \
            [--development DEV.conll] [--epochs N]
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A plain-text file, or - for standard input (CoNLL training files with --train-model).")
    var inputs: [String] = []

    @Option(help: ArgumentHelp("Tag the tokens of a CoNLL-format file instead.", valueName: "file"))
    var conll: String?

    @Option(help: ArgumentHelp("Read the model and gazetteers from this directory.", valueName: "dir"))
    var modelDirectory: String?

    @Option(help: .hidden)
    var trainModel: String?

    @Option(help: .hidden)
    var development: String?

    @Option(help: .hidden)
    var epochs: Int = 12

    @Option(help: .hidden)
    var runs: Int = 8

    @Option(help: .hidden)
    var prune: Float = 0.5

    @Option(help: .hidden)
    var dropout: Double = 0

    @Option(help: .hidden)
    var seed: UInt64?

    @Option(help: .hidden)
    var bucketBits: Int = EntityTagger.bucketBits

    @Option(help: .hidden)
    var benchmark: Int?

    func validate() throws {
        if self.trainModel != nil {
            guard !self.inputs.isEmpty else { throw ValidationError("--train-model needs CoNLL files to train on") }
            guard self.dropout >= 0 && self.dropout < 1 else { throw ValidationError("--dropout must be in [0, 1)") }
        } else if self.conll != nil {
            guard self.inputs.isEmpty else { throw ValidationError("give either FILE or --conll FILE, not both") }
        } else if self.inputs.count != 1 {
            throw ValidationError("give one FILE (or - for standard input)")
        }
    }

    func run() throws {
        let logger = self.global.bootstrap()
        if let output = self.trainModel {
            try self.train(to: output)
            return
        }
        let began = Date()
        let tagger = try self.modelDirectory.map { try EntityTagger(directory: $0) } ?? EntityTagger.loadDefault()
        logger.debug("model loaded", metadata: ["seconds": "\(Date().timeIntervalSince(began))"])
        if let path = self.conll {
            print(tagger.tagConll(try readText(path)), terminator: "")
            return
        }
        let text = try readText(self.inputs[0])
        if let rounds = self.benchmark {
            self.runBenchmark(tagger, text: text, rounds: rounds)
            return
        }
        let entities = tagger.extractEntities(title: nil, text: text)
        var json = JSONWriter()
        json.beginObject()
        json.key("entities")
        json.beginArray()
        for entity in entities { entity.write(to: &json) }
        json.endArray()
        json.endObject()
        print(json.string)
    }

    private func train(to output: String) throws {
        let directory = self.modelDirectory ?? EntityTagger.defaultDirectory()
        let documents = try self.inputs.flatMap { try ConllReader.read(path: $0) }
        let development = try self.development.map { try ConllReader.read(path: $0) } ?? []
        var trainer = EntityTrainer(
            extractor: FeatureExtractor(
                bucketBits: self.bucketBits,
                gazetteer: try EntityTagger.loadGazetteer(directory: directory),
                clusters: try EntityTagger.loadClusters(directory: directory)
            ),
            epochs: self.epochs
        )
        trainer.featureDropout = self.dropout
        if let seed = self.seed { trainer.seed = seed }
        let weights = trainer.train(documents, development: development, runs: self.runs) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        try weights.pruned(threshold: self.prune).write(toFile: output)
        FileHandle.standardError.write(
            Data("wrote \(output): \(weights.pruned(threshold: self.prune).rowCount) rows\n".utf8)
        )
    }

    /// Tags every article (blank-line-separated block) of `text` `rounds` times on this thread.
    private func runBenchmark(_ tagger: EntityTagger, text: String, rounds: Int) {
        let articles = text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        let tokens = articles.reduce(0) { $0 + tagger.tokenCount($1) }
        var entities = 0
        let began = Date()
        let cpuBegan = threadCPUSeconds()
        for _ in 0..<max(rounds, 1) {
            for article in articles { entities += tagger.extractEntities(title: nil, text: article).count }
        }
        let cpuSeconds = threadCPUSeconds() - cpuBegan
        let seconds = Date().timeIntervalSince(began)
        let total = tokens * max(rounds, 1)
        // CPU time of this thread is what one core delivers, even on a busy machine; wall time
        // is also printed.
        print(
            "articles \(articles.count) tokens \(total) cpu_seconds \(String(format: "%.3f", cpuSeconds)) "
                + "tokens_per_cpu_second \(Int(Double(total) / cpuSeconds)) "
                + "wall_seconds \(String(format: "%.3f", seconds)) "
                + "tokens_per_wall_second \(Int(Double(total) / seconds)) entities \(entities)"
        )
    }
}

/// CPU time used by the calling thread, in seconds.
private func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

private func readText(_ path: String) throws -> String {
    if path == "-" {
        return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ValidationError("cannot read \(path)")
    }
    return String(decoding: data, as: UTF8.self)
}
