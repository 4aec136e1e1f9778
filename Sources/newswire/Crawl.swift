import ArgumentParser

/// `newswire crawl`: one pass over every feed of a pipeline.
struct Crawl: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "One pass over every feed of a pipeline.")

    func run() throws {
        throw ValidationError("newswire crawl is not built yet")
    }
}
