import ArgumentParser
import Foundation
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
/// - Throws: `ExitCode(1)`, after printing libcurl's message (or the HTTP status) on
///   standard error, when the transfer fails: the input could not be read, which is not a
///   usage error.
func fetchOnce(_ url: String, headers: [String] = [], network: NetworkOptions) throws -> FetchedDocument {
    var options = FetchOptions()
    options.networkPolicy.allowed = network.allowNetworks.compactMap(CIDR.init)
    let fetcher = Fetcher(options: options)
    defer { fetcher.shutdown() }
    switch fetcher.fetch(FetchRequest(url: url, headers: headers)) {
    case .failure(let error):
        throw inputFailure("cannot fetch \(url): \(error.code): \(error.message)")
    case .success(let document) where !(200..<300).contains(document.status):
        throw inputFailure("cannot fetch \(url): HTTP \(document.status)")
    case .success(let document):
        return document
    }
}

/// The bytes of an input file of a single-document command, with a message that says what
/// is wrong (a directory, a missing file, no permission) instead of a Foundation error code.
///
/// - Throws: `ExitCode(1)` after printing the message on standard error.
func readInputFile(_ path: String, read: (String) throws -> [UInt8]) throws -> [UInt8] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw inputFailure("cannot read \(path): no such file")
    }
    guard !isDirectory.boolValue else { throw inputFailure("cannot read \(path): it is a directory, not a file") }
    guard FileManager.default.isReadableFile(atPath: path) else {
        throw inputFailure("cannot read \(path): permission denied")
    }
    do {
        return try read(path)
    } catch {
        throw inputFailure("cannot read \(path): \(error)")
    }
}

/// Prints `message` on standard error and returns the exit status for an unreadable input.
func inputFailure(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("newswire: \(message)\n".utf8))
    return ExitCode(1)
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
