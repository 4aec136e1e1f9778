import ArgumentParser

struct Relay: ParsableCommand {
    func run() throws {}
}
struct Bench: ParsableCommand {
    func run() throws {}
}
