import Dispatch
import NewswireArchive
import NewswireCore

/// The crawl's fetcher when it archives: the libcurl fetcher asked to keep the bytes as
/// received, each exchange handed to the ``ArchiveRecorder``, and the body decoded (off
/// the driver thread) before the pipeline sees it.
final class ArchivingFetcher: DocumentFetching {
    private let inner: any DocumentFetching
    private let recorder: ArchiveRecorder
    private let maxBodyBytes: Int
    private let decodeQueue = DispatchQueue(label: "newswire.archive.decode", attributes: .concurrent)

    /// - Parameter inner: a fetcher made with ``FetchOptions/keepRawExchange`` on.
    init(_ inner: any DocumentFetching, recorder: ArchiveRecorder, maxBodyBytes: Int) {
        self.inner = inner
        self.recorder = recorder
        self.maxBodyBytes = maxBodyBytes
    }

    func submit(_ request: FetchRequest, completion: @escaping @Sendable (Result<FetchedDocument, FetchError>) -> Void)
    {
        self.inner.submit(request) { result in
            guard case .success(let received) = result, let exchange = received.exchange else {
                completion(result)
                return
            }
            self.recorder.record(exchange, url: received.requestedURL, at: received.fetchedAt)
            self.decodeQueue.async {
                var document = received
                document.exchange = nil
                guard
                    let (body, headers) = ReceivedBody.decode(
                        received.body,
                        headers: received.headers,
                        limit: self.maxBodyBytes
                    )
                else {
                    completion(
                        .failure(
                            FetchError(
                                code: .truncated,
                                url: request.url,
                                message:
                                    "the body's chunked framing or compression is broken, or it decodes past the limit"
                            )
                        )
                    )
                    return
                }
                document.body = body
                document.headers = headers
                completion(.success(document))
            }
        }
    }

    func shutdown() {
        self.inner.shutdown()
    }
}
