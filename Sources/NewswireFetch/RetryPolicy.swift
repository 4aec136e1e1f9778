internal import CCurl
import NewswireCore

/// Which failures are worth another try, and how long to wait before it.
///
/// Transient: timeouts, connections refused, reset or closed early, and the statuses that
/// ask for a later try (408, 429, and 5xx but 501 Not Implemented and 505, which do not
/// change with time), as curl's own `--retry` and `--retry-connrefused` decide. DNS
/// failures, policy refusals, oversized bodies and bad requests are final.
struct RetryPolicy {
    var maxAttempts: Int
    var baseDelay: Double
    var maxWait: Double

    init(_ options: FetchOptions) {
        self.maxAttempts = max(1, options.maxAttempts)
        self.baseDelay = max(0, options.retryBaseDelay)
        self.maxWait = options.maxRetryWait
    }

    /// Seconds to wait before trying again after `result` of try `attempt`, or `nil` when
    /// the outcome is final. `unit` is a random draw in [0, 1) for the jitter.
    func delay(after result: Result<FetchedDocument, FetchError>, attempt: Int, unit: Double) -> Double? {
        guard attempt < self.maxAttempts else { return nil }
        let retryAfter: Double?
        switch result {
        case .success(let document):
            guard Self.isTransient(status: document.status) else { return nil }
            retryAfter = document.retryAfter
        case .failure(let error):
            guard Self.isTransient(error) else { return nil }
            retryAfter = error.retryAfter
        }
        let wait = max(Self.backoff(attempt: attempt, base: self.baseDelay, unit: unit), retryAfter ?? 0)
        return wait <= self.maxWait ? wait : nil
    }

    /// Exponential backoff with "equal jitter": half of `base × 2^(attempt-1)` for sure,
    /// the other half at random, so retries of many requests spread out but never come
    /// back at once.
    static func backoff(attempt: Int, base: Double, unit: Double) -> Double {
        let ceiling = base * Double(1 << min(max(attempt - 1, 0), 20))
        return ceiling / 2 + ceiling / 2 * min(max(unit, 0), 1)
    }

    static func isTransient(status: Int) -> Bool {
        status == 408 || status == 429 || ((500...599).contains(status) && status != 501 && status != 505)
    }

    static func isTransient(_ error: FetchError) -> Bool {
        switch error.code {
        case .timeout, .truncated: return true
        case .transport:
            guard let raw = error.curlCode else { return false }
            let code = CURLcode(rawValue: UInt32(raw))
            return [
                CURLE_COULDNT_CONNECT, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING,
                CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_OPERATION_TIMEDOUT,
            ].contains(code)
        default: return false
        }
    }
}
