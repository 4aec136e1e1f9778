import ArgumentParser

/// `newswire feed`: comes with its own issue.
struct Feed: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Not built yet.")

    func run() throws {
        throw ValidationError("newswire feed is not built yet")
    }
}
