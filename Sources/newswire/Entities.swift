import ArgumentParser

/// `newswire entities`: comes with its own issue.
struct Entities: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Not built yet.")

    func run() throws {
        throw ValidationError("newswire entities is not built yet")
    }
}
