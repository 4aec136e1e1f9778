import ArgumentParser
import NewswireCore
import NewswireFetch

/// Fetches one URL for the single-document commands (`feed`, `extract`).
///
/// Starts a fetcher for the one request and shuts it down again: libcurl's global state
/// must already be initialised (``GlobalOptions/bootstrap()`` or
/// `Fetcher.initializeGlobalState()`).
///
/// The network policy applies as in a crawl: private and loopback addresses need
/// `--allow-network`.
///
/// - Throws: `ValidationError` with libcurl's message when the transfer fails, or the HTTP
///   status when it is not a success.
func fetchOnce(_ url: String, headers: [String] = [], network: NetworkOptions) throws -> FetchedDocument {
    var options = FetchOptions()
    options.networkPolicy.allowed = network.allowNetworks.compactMap(CIDR.init)
    let fetcher = Fetcher(options: options)
    defer { fetcher.shutdown() }
    switch fetcher.fetch(FetchRequest(url: url, headers: headers)) {
    case .failure(let error):
        throw ValidationError("cannot fetch \(url): \(error.message)")
    case .success(let document) where !(200..<300).contains(document.status):
        throw ValidationError("cannot fetch \(url): HTTP \(document.status)")
    case .success(let document):
        return document
    }
}

/// `--allow-network` for the commands that fetch one URL.
struct NetworkOptions: ParsableArguments {
    @Option(
        name: .customLong("allow-network"),
        help: "A CIDR block of private addresses that may be fetched (repeatable)."
    )
    var allowNetworks: [String] = []

    func validate() throws {
        for block in self.allowNetworks where CIDR(block) == nil {
            throw ValidationError("'\(block)' is not a CIDR block such as 127.0.0.0/8")
        }
    }
}
