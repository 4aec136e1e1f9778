import Foundation

/// PyPI warcio, the reference WARC checker, run through its command-line entry point
/// (`warcio.cli.main`; the package has no `__main__`, so `python3 -m warcio` does not work).
enum Warcio {
    static let isAvailable: Bool = (try? run(["--version"]).status) == 0

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "from warcio.cli import main; main()"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
