internal import CCurl
import Dispatch
import Foundation
public import Logging
public import NewswireCore
import Synchronization

/// Fetches URLs over HTTP(S) with one libcurl multi handle driven by one thread.
///
/// Any thread may call ``submit(_:completion:)``: the request goes into a locked inbox and
/// `curl_multi_wakeup` (documented as callable from any thread) wakes the driver thread,
/// which alone touches the multi handle and every easy handle. Transfers finish in any
/// order; each completion runs **on the driver thread**, so it must only hand the result
/// on (for example to a Dispatch queue) and never block.
///
/// Call ``shutdown()`` when done: in-flight transfers complete with `cancelled`.
public final class Fetcher: DocumentFetching {
    private let inbox = Inbox()
    // The multi handle's address, used from other threads only for curl_multi_wakeup,
    // which libcurl documents as thread-safe (curl_multi_wakeup(3)).
    private nonisolated(unsafe) let multi: UnsafeMutableRawPointer
    private let finished = DispatchSemaphore(value: 0)
    /// The options every transfer uses.
    public let options: FetchOptions

    /// Process-wide libcurl set-up. Call once at process start, before any thread
    /// (curl_global_init(3): "not thread safe").
    public static func initializeGlobalState() {
        curl_global_init(Int(CURL_GLOBAL_ALL))
    }

    /// Starts the driver thread. `clock` stamps each document's `fetchedAt`.
    public init(
        options: FetchOptions = FetchOptions(),
        clock: any NewswireClock = SystemClock(),
        logger: Logger = Logger(label: "newswire.fetch")
    ) {
        self.options = options
        guard let multi = curl_multi_init() else {
            preconditionFailure("curl_multi_init failed: out of memory")
        }
        self.multi = multi
        // CURLMOPT_MAX_HOST_CONNECTIONS queues transfers beyond the per-host cap inside
        // libcurl instead of opening more connections (politeness towards one server).
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, options.maxConnectionsPerHost)
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, options.maxConnections)
        let driver = Driver(multi: multi, options: options, clock: clock, inbox: self.inbox, logger: logger)
        let finished = self.finished
        let thread = Thread {
            driver.run()
            finished.signal()
        }
        thread.name = "newswire-fetch"
        thread.start()
    }

    deinit {
        self.shutdown()
    }

    /// Queues `request`; `completion` runs on the driver thread when it finishes.
    public func submit(
        _ request: FetchRequest,
        completion: @escaping @Sendable (Result<FetchedDocument, FetchError>) -> Void
    ) {
        let accepted = self.inbox.state.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.requests.append(Inbox.Entry(request: request, completion: completion))
            return true
        }
        guard accepted else {
            completion(.failure(FetchError(code: .cancelled, url: request.url, message: "fetcher is shut down")))
            return
        }
        curl_multi_wakeup(self.multi)
    }

    /// Cancels what is in flight and stops the driver thread; waits until it has stopped.
    /// Safe to call more than once.
    public func shutdown() {
        let first = self.inbox.state.withLock { state -> Bool in
            defer { state.stopping = true }
            return !state.stopping
        }
        guard first else { return }
        curl_multi_wakeup(self.multi)
        self.finished.wait()
        curl_multi_cleanup(self.multi)
    }
}

/// Requests waiting for the driver thread, and the stop flag.
private final class Inbox: Sendable {
    struct Entry {
        var request: FetchRequest
        var completion: @Sendable (Result<FetchedDocument, FetchError>) -> Void
    }

    struct State {
        var requests: [Entry] = []
        var stopping = false
    }

    let state = Mutex(State())
}

/// The driver thread's state: the multi handle and the transfers in flight.
private final class Driver: @unchecked Sendable {
    // @unchecked: created on the caller's thread, then used only on the driver thread.
    private let multi: UnsafeMutableRawPointer
    private let options: FetchOptions
    private let clock: any NewswireClock
    private let inbox: Inbox
    private let logger: Logger
    private var active: [UnsafeMutableRawPointer: EasyHandle] = [:]

    init(
        multi: UnsafeMutableRawPointer,
        options: FetchOptions,
        clock: any NewswireClock,
        inbox: Inbox,
        logger: Logger
    ) {
        self.multi = multi
        self.options = options
        self.clock = clock
        self.inbox = inbox
        self.logger = logger
    }

    /// The driver loop: take new requests, let libcurl work, hand out completions, sleep
    /// in curl_multi_poll until a socket is ready, a timer is due or a wakeup arrives.
    func run() {
        while true {
            let (requests, stopping) = self.inbox.state.withLock { state in
                defer { state.requests.removeAll(keepingCapacity: true) }
                return (state.requests, state.stopping)
            }
            for entry in requests {
                self.start(entry)
            }
            if stopping {
                self.cancelAll()
                return
            }
            var running: Int32 = 0
            let performed = curl_multi_perform(self.multi, &running)
            if performed != CURLM_OK {
                self.logger.debug(
                    "curl_multi_perform failed",
                    metadata: ["error": "\(String(cString: curl_multi_strerror(performed)))"]
                )
            }
            self.collectFinished()
            // 1 s at most, so a lost wakeup can never stall the loop for long.
            _ = curl_multi_poll(self.multi, nil, 0, 1000, nil)
        }
    }

    private func start(_ entry: Inbox.Entry) {
        do {
            let handle = try EasyHandle(request: entry.request, options: self.options, completion: entry.completion)
            let added = curl_multi_add_handle(self.multi, handle.raw)
            guard added == CURLM_OK else {
                let message = String(cString: curl_multi_strerror(added))
                entry.completion(.failure(FetchError(code: .transport, url: entry.request.url, message: message)))
                return
            }
            self.active[handle.raw] = handle
        } catch {
            entry.completion(.failure(error))
        }
    }

    private func collectFinished() {
        var left: Int32 = 0
        while let message = curl_multi_info_read(self.multi, &left) {
            guard ccurl_msg_is_done(message) != 0, let easy = ccurl_msg_easy_handle(message) else { continue }
            let code = ccurl_msg_result(message)
            guard let handle = self.active.removeValue(forKey: easy) else { continue }
            curl_multi_remove_handle(self.multi, easy)
            let result = handle.finish(code, at: self.clock.now())
            self.logger.trace("fetched", metadata: ["url": "\(handle.request.url)"])
            handle.completion(result)
        }
    }

    private func cancelAll() {
        for (easy, handle) in self.active {
            curl_multi_remove_handle(self.multi, easy)
            handle.completion(
                .failure(FetchError(code: .cancelled, url: handle.request.url, message: "fetcher shut down"))
            )
        }
        self.active.removeAll()
    }
}
