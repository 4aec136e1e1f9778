import ArgumentParser

/// `newswire extract`: comes with its own issue.
struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Not built yet.")

    func run() throws {
        throw ValidationError("newswire extract is not built yet")
    }
}
