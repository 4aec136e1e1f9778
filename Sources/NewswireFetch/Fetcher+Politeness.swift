import Logging
import NewswireCore

// The driver's politeness: where a request goes between `submit` and libcurl, and what
// happens when its transfer ends. All of it runs on the driver thread.
extension Driver {
    /// Takes a new request: an article page first waits for its host's robots.txt (when
    /// obeyed); everything else joins its host's queue.
    func admit(_ submission: Submission) {
        guard submission.request.purpose == .page, self.options.obeysRobots,
            let url = WebURL(submission.request.url), url.isWeb
        else {
            self.perform(self.hosts.enqueue(submission, now: self.monotonic()))
            return
        }
        switch self.robots.lookup(url.origin, for: submission, now: self.clock.now()) {
        case .known(let rules, let note):
            self.decide(submission, rules: rules, note: note, origin: url.origin)
        case .pending:
            break
        case .fetch:
            self.fetchRobots(of: url.origin)
        }
    }

    /// Starts or fails what the host queues let go.
    func perform(_ actions: [HostQueues.Action]) {
        for action in actions {
            switch action {
            case .start(let submission): self.start(submission)
            case .fail(let submission, let error): submission.completion(.failure(error))
            }
        }
    }

    /// A transfer ended: tell its host how it went, try it again after a backoff when the
    /// failure is transient, else hand the outcome on with its attempt number.
    func finished(_ submission: Submission, _ result: Result<FetchedDocument, FetchError>) {
        let now = self.monotonic()
        let signal: HostQueues.Signal
        switch result {
        case .success(let document) where document.status == 429 || document.status == 503:
            signal = .overloaded(retryAfter: document.retryAfter)
        case .success(let document) where document.status < 500:
            signal = .healthy
        default:
            signal = .neutral
        }
        let unit = Double.random(in: 0..<1)
        if let delay = self.retries.delay(after: result, attempt: submission.attempt, unit: unit) {
            var again = submission
            again.attempt += 1
            self.logger.debug(
                "retrying",
                metadata: [
                    "url": "\(submission.request.url)", "attempt": "\(again.attempt)",
                    "delay_s": "\((delay * 1000).rounded() / 1000)",
                ]
            )
            self.hosts.retry(again, after: delay, now: now)
        } else {
            var outcome = result
            switch outcome {
            case .success(var document):
                document.attempt = submission.attempt
                outcome = .success(document)
            case .failure(var error):
                error.attempt = submission.attempt
                outcome = .failure(error)
            }
            submission.completion(outcome)
        }
        self.perform(self.hosts.finished(submission, signal, now: now))
    }

    /// Fetches `origin`'s robots.txt through the host's own queue, with the fetcher's user agent.
    private func fetchRobots(of origin: String) {
        var request = FetchRequest(url: origin + "/robots.txt")
        request.purpose = .robots
        let completion: @Sendable (Result<FetchedDocument, FetchError>) -> Void = { [self] result in
            self.robotsArrived(origin, result)
        }
        let submission = Submission(request: request, completion: completion, host: HostQueues.key(for: request.url))
        self.perform(self.hosts.enqueue(submission, now: self.monotonic()))
    }

    private func robotsArrived(_ origin: String, _ result: Result<FetchedDocument, FetchError>) {
        // Shut down, a long pause of the host, or our own refusal (network policy, a bad
        // URL): the pages share the robots.txt's fate, for the same reason, and nothing is
        // cached (the host has said nothing about its rules).
        if case .failure(let error) = result,
            [.cancelled, .hostBackoff, .policy, .invalidRequest].contains(error.code)
        {
            for waiter in self.robots.cancel(origin) {
                var failure = error
                failure.url = waiter.request.url
                waiter.completion(.failure(failure))
            }
            return
        }
        let (rules, note, waiters) = self.robots.store(origin, result, now: self.clock.now())
        self.logger.debug("robots.txt", metadata: ["origin": "\(origin)", "rules": "\(note)"])
        for waiter in waiters {
            self.decide(waiter, rules: rules, note: note, origin: origin)
        }
    }

    /// Queues a page its host's rules allow; fails one they disallow without fetching it.
    private func decide(_ submission: Submission, rules: RobotsTxt, note: String, origin: String) {
        let url = WebURL(submission.request.url)
        let path = (url?.path ?? "/") + (url?.query.map { "?" + $0 } ?? "")
        let agent = submission.request.userAgent ?? self.options.userAgent
        let verdict = rules.verdict(for: path, userAgent: agent)
        guard !verdict.allowed else {
            self.perform(self.hosts.enqueue(submission, now: self.monotonic()))
            return
        }
        let token = RobotsTxt.productToken(of: agent)
        let reason = verdict.rule.map { "'\($0)'" } ?? "its rules"
        let message =
            note == "robots.txt"
            ? "not fetched: the robots.txt of \(origin) disallows \(path) for \(token) (\(reason))"
            : "not fetched: \(note) at \(origin) disallows every page for now (RFC 9309 §2.3.1.4)"
        submission.completion(
            .failure(FetchError(code: .robotsDisallowed, url: submission.request.url, message: message))
        )
    }
}
