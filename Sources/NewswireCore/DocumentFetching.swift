import Dispatch
import Synchronization

/// Turns requests into fetched documents: libcurl for the network (`NewswireFetch`), an
/// archive reader for replay, an in-memory site for tests.
///
/// Any thread may submit. Completions may run on a thread the fetcher owns, so they must
/// only hand the result on (for example to a Dispatch queue) and never block.
public protocol DocumentFetching: Sendable {
    /// Queues `request`; `completion` runs once with the response or the failure.
    func submit(_ request: FetchRequest, completion: @escaping @Sendable (Result<FetchedDocument, FetchError>) -> Void)

    /// Stops the fetcher: what is in flight completes with `cancelled`. Safe to call twice.
    func shutdown()
}

extension DocumentFetching {
    /// Fetches `request` and waits for the outcome. Do not call from a completion handler.
    public func fetch(_ request: FetchRequest) -> Result<FetchedDocument, FetchError> {
        let box = Mutex<Result<FetchedDocument, FetchError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        self.submit(request) { result in
            box.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return box.withLock { $0! }
    }
}
