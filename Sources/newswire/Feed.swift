import ArgumentParser
import Foundation
import NewswireCore
import NewswireFetch
import NewswireMarkup

/// `newswire feed URL-or-FILE`: one feed to one JSON document in the neutral shape of the
/// feeds-conformance corpus.
struct Feed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse one feed (RSS, Atom, JSON Feed) and print it as one JSON document.",
        discussion: """
            Prints {"format", "encoding", "well_formed", "feed": {...}, "entries": [...]} on standard
            output; a document that cannot be read as a feed still gives a document with "error" set.
            Exit status 0 whenever a document was printed.
            """
    )

    @Argument(help: "A feed URL, a feed file, or - for standard input.")
    var source: String

    @Option(help: "The URL the document was fetched from; relative links resolve against it.")
    var documentURL: String?

    @Option(help: "An HTTP response header, 'Name: value' (Content-Type, Content-Location…); repeatable.")
    var header: [String] = []

    @OptionGroup var network: NetworkOptions

    func validate() throws {
        for value in self.header where !value.contains(":") {
            throw ValidationError("--header must look like 'Name: value', got '\(value)'")
        }
    }

    func run() throws {
        if WebURL.isWeb(self.source) {
            // Fetched: the response's own headers and final URL describe the document.
            Fetcher.initializeGlobalState()
            var document = try fetchOnce(self.source, network: self.network)
            if let documentURL = self.documentURL { document.finalURL = documentURL }
            LibXML2.initialize()
            self.print(FeedParser().parseFeed(document))
            return
        }
        let body: [UInt8]
        if self.source == "-" {
            body = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        } else {
            body = try readInputFile(self.source) { [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0))) }
        }
        var headers = HTTPHeaders()
        for line in self.header {
            let parts = line.split(separator: ":", maxSplits: 1)
            headers.add(
                name: String(parts[0]).trimmingASCIIWhitespace(),
                value: parts.count > 1 ? String(parts[1]).trimmingASCIIWhitespace() : ""
            )
        }
        // Only libxml2 is needed here: keep start-up cheap (no libcurl, no logging set-up).
        LibXML2.initialize()
        let document = FetchedDocument(requestedURL: self.documentURL ?? "", headers: headers, body: body)
        self.print(FeedParser().parseFeed(document))
    }

    private func print(_ parsed: ParsedFeed) {
        var output = parsed.neutralJSON()
        output.append("\n")
        FileHandle.standardOutput.write(Data(output.utf8))
    }
}
