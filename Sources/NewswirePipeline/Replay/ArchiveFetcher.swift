import Dispatch
import NewswireCore
import Synchronization

/// The replay's fetcher: every request is answered from the archive, never the network. A
/// URL the archive lacks fails with `not_archived`.
///
/// Which capture answers: the one the source handed out for that URL (feeds and pages of
/// the source are queued per URL in the order they were handed out, and the engine asks
/// for them in that order), else the URL's capture nearest after the time the request was
/// asked at (a page a feed item links to: the capture made after that feed capture).
/// Reads run on one serial queue, off the engine's threads.
final class ArchiveFetcher: DocumentFetching {
    private let index: ArchiveIndex
    // Touched only on `queue` (and before the run starts).
    nonisolated(unsafe) private let store: ArchiveStore
    private let queue = DispatchQueue(label: "newswire.replay.read", qos: .userInitiated)
    private let expected = Mutex<[String: [Int]]>([:])
    private let stopped = Atomic<Bool>(false)

    init(index: ArchiveIndex, store: ArchiveStore) {
        self.index = index
        self.store = store
    }

    /// The next request for `url` is to read capture `number`.
    func expect(_ url: String, capture number: Int) {
        self.expected.withLock { $0[url, default: []].append(number) }
    }

    func submit(_ request: FetchRequest, completion: @escaping @Sendable (Result<FetchedDocument, FetchError>) -> Void)
    {
        let capture = self.expected.withLock { pending -> Int? in
            guard var queued = pending[request.url], !queued.isEmpty else { return nil }
            let first = queued.removeFirst()
            pending[request.url] = queued.isEmpty ? nil : queued
            return first
        }
        self.queue.async {
            guard !self.stopped.load(ordering: .relaxed) else {
                completion(.failure(FetchError(code: .cancelled, url: request.url, message: "replay stopped")))
                return
            }
            completion(self.store.fetch(request.url, capture: capture, near: request.askedAt, in: self.index))
        }
    }

    func shutdown() {
        self.stopped.store(true, ordering: .relaxed)
    }
}
