import ArgumentParser
import Foundation
import NewswireTesting

/// Serves a folder on 127.0.0.1 (the demo site, or a test site), printing its base URL.
@main
struct TestServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "newswire-testserver",
        abstract: "Serve a folder on 127.0.0.1 with a free port; print the base URL, then serve until stopped.",
        discussion: """
            Text files have {{BASE_URL}} replaced by the server's address. A _site.json in the
            folder adds redirects, status codes, headers and delays per path (see TestSite).
            """
    )

    @Argument(help: "The folder to serve.")
    var folder: String

    func run() async throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: self.folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw ValidationError("\(self.folder) is not a folder")
        }
        let site = try TestSite(root: URL(fileURLWithPath: self.folder))
        let base = try await site.start()
        FileHandle.standardOutput.write(Data("\(base)\n".utf8))
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(3600))
        }
    }
}
