internal import CCurl
import NewswireCore

/// The bytes of a transfer as they cross the wire, for the WARC archive: request heads
/// (CURLINFO_HEADER_OUT through the debug callback), response heads line by line (the header
/// callback sees every hop of a redirect chain) and the body before any decoding.
///
/// Owned by its ``EasyHandle`` on the fetcher's driver thread.
final class RawCapture {
    private var requests: [[UInt8]] = []
    private var heads: [[UInt8]] = []

    func noteRequest(_ bytes: UnsafeRawBufferPointer) {
        self.requests.append(Array(bytes))
    }

    /// One header line (status line, field or the blank line that ends a head).
    func noteHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        if bytes.starts(with: "HTTP/".utf8) || self.heads.isEmpty { self.heads.append([]) }
        self.heads[self.heads.count - 1].append(contentsOf: bytes)
    }

    /// The hops, interim (1xx) responses left out; each final head is paired with the
    /// request sent before it.
    func hops() -> [RawExchange.Hop] {
        var hops: [RawExchange.Hop] = []
        var requestIndex = 0
        for head in self.heads {
            let interim = head.count > 9 && head[9] == UInt8(ascii: "1")
            if interim { continue }
            let request = requestIndex < self.requests.count ? self.requests[requestIndex] : nil
            requestIndex += 1
            hops.append(RawExchange.Hop(request: request, responseHead: head))
        }
        return hops
    }
}

@available(*, unavailable)
extension RawCapture: Sendable {}

extension EasyHandle {
    /// Asks libcurl to pass the body through as received (CURLOPT_HTTP_CONTENT_DECODING and
    /// CURLOPT_HTTP_TRANSFER_DECODING off): the archive keeps chunk framing and content coding.
    func configureRawCapture(_ check: (CURLcode) -> Void) {
        check(ccurl_easy_setopt_long(self.raw, CURLOPT_HTTP_CONTENT_DECODING, 0))
        check(ccurl_easy_setopt_long(self.raw, CURLOPT_HTTP_TRANSFER_DECODING, 0))
    }

    /// The exchange as received, when raw capture is on.
    func rawExchange() -> RawExchange? {
        guard let capture = self.rawCapture else { return nil }
        var address: UnsafeMutablePointer<CChar>?
        _ = ccurl_easy_getinfo_string(self.raw, CURLINFO_PRIMARY_IP, &address)
        let ip = address.map { String(cString: $0) }
        return RawExchange(hops: capture.hops(), body: self.body, ipAddress: ip?.isEmpty == false ? ip : nil)
    }
}
