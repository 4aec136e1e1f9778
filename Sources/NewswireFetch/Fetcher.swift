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
/// Politeness lives on the driver thread too (``HostQueues``, ``RobotsCache``): requests
/// wait in a queue per host, transient failures are tried again after a backoff, and article
/// pages obey their host's `robots.txt`; see docs/fetch.md.
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
final class Inbox: Sendable {
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

extension Submission {
    init(_ entry: Inbox.Entry) {
        self.init(
            request: entry.request,
            completion: entry.completion,
            host: HostQueues.key(for: entry.request.url)
        )
    }
}

/// The driver thread's state: the multi handle, the transfers in flight and the politeness
/// state (host queues, retries, robots.txt cache).
final class Driver: @unchecked Sendable {
    // @unchecked: created on the caller's thread, then used only on the driver thread.
    private let multi: UnsafeMutableRawPointer
    let options: FetchOptions
    let clock: any NewswireClock
    private let inbox: Inbox
    let logger: Logger
    private var active: [UnsafeMutableRawPointer: (handle: EasyHandle, submission: Submission)] = [:]
    let hosts: HostQueues
    let retries: RetryPolicy
    let robots = RobotsCache()
    /// The monotonic clock of host delays and retries (wall-clock jumps must not shorten them).
    private let started = ContinuousClock.now
    private var lastSweep = 0.0

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
        self.hosts = HostQueues(limits: HostQueues.Limits(options))
        self.retries = RetryPolicy(options)
    }

    /// Seconds on the monotonic clock since the driver started.
    func monotonic() -> Double {
        let elapsed = ContinuousClock.now - self.started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
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
                self.admit(Submission(entry))
            }
            if stopping {
                self.cancelAll()
                return
            }
            self.perform(self.hosts.fireTimers(now: self.monotonic()))
            var running: Int32 = 0
            let performed = curl_multi_perform(self.multi, &running)
            if performed != CURLM_OK {
                self.logger.debug(
                    "curl_multi_perform failed",
                    metadata: ["error": "\(String(cString: curl_multi_strerror(performed)))"]
                )
            }
            self.collectFinished()
            self.sweepIfDue()
            // 1 s at most, so a lost wakeup can never stall the loop for long; less when a
            // host's delay or a retry falls due sooner.
            var wait: Int32 = 1000
            if let deadline = self.hosts.nextDeadline {
                let seconds = max(0, deadline - self.monotonic())
                wait = Int32(min(1000, (seconds * 1000).rounded(.up)))
            }
            _ = curl_multi_poll(self.multi, nil, 0, wait, nil)
        }
    }

    /// Starts the transfer of `submission`, which its host's queue let go.
    func start(_ submission: Submission) {
        do {
            let handle = try EasyHandle(
                request: submission.request,
                options: self.options,
                completion: submission.completion
            )
            let added = curl_multi_add_handle(self.multi, handle.raw)
            guard added == CURLM_OK else {
                let message = String(cString: curl_multi_strerror(added))
                let error = FetchError(code: .transport, url: submission.request.url, message: message)
                self.finished(submission, .failure(error))
                return
            }
            self.active[handle.raw] = (handle, submission)
        } catch {
            self.finished(submission, .failure(error))
        }
    }

    private func collectFinished() {
        var left: Int32 = 0
        while let message = curl_multi_info_read(self.multi, &left) {
            guard ccurl_msg_is_done(message) != 0, let easy = ccurl_msg_easy_handle(message) else { continue }
            let code = ccurl_msg_result(message)
            guard let (handle, submission) = self.active.removeValue(forKey: easy) else { continue }
            curl_multi_remove_handle(self.multi, easy)
            let result = handle.finish(code, at: self.clock.now())
            self.logger.trace("fetched", metadata: ["url": "\(handle.request.url)"])
            self.finished(submission, result)
        }
    }

    private func cancelAll() {
        var cancelled = self.active.map { easy, entry in
            curl_multi_remove_handle(self.multi, easy)
            return entry.submission
        }
        self.active.removeAll()
        cancelled += self.hosts.drain()
        for origin in self.robots.fetchingOrigins { cancelled += self.robots.cancel(origin) }
        for submission in cancelled {
            var error = FetchError(code: .cancelled, url: submission.request.url, message: "fetcher shut down")
            error.attempt = submission.attempt
            submission.completion(.failure(error))
        }
    }

    /// Forgets idle hosts and expired robots.txt once a minute, so memory stays flat.
    private func sweepIfDue() {
        let now = self.monotonic()
        guard now - self.lastSweep >= 60 else { return }
        self.lastSweep = now
        self.hosts.sweep(now: now)
        self.robots.sweep(now: self.clock.now())
    }
}
