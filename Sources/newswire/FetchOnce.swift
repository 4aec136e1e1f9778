import ArgumentParser
import NewswireCore
import NewswireFetch

/// Fetches one URL for the single-document commands (`feed`, `extract`).
///
/// Starts a fetcher for the one request and shuts it down again: libcurl's global state
/// must already be initialised (``GlobalOptions/bootstrap()`` or
/// `Fetcher.initializeGlobalState()`).
///
/// - Throws: `ValidationError` with libcurl's message when the transfer fails, or the HTTP
///   status when it is not a success.
func fetchOnce(_ url: String, headers: [String] = []) throws -> FetchedDocument {
    let fetcher = Fetcher()
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
