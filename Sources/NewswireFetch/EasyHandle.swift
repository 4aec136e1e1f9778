internal import CCurl
import NewswireCore

import struct Foundation.Date

#if canImport(Glibc)
import Glibc
#endif

/// One libcurl easy handle with the buffers libcurl writes into.
///
/// Owned by the fetcher's driver thread from creation to completion; never shared.
/// libcurl does not copy the error buffer or the header list, so this object keeps both
/// alive until `deinit` (curl_easy_setopt(3), CURLOPT_ERRORBUFFER and CURLOPT_HTTPHEADER).
final class EasyHandle {
    let raw: UnsafeMutableRawPointer
    let request: FetchRequest
    let completion: @Sendable (Result<FetchedDocument, FetchError>) -> Void
    let maxBodyBytes: Int
    let startedAt = ContinuousClock.now

    var body: [UInt8] = []
    var headers = HTTPHeaders()
    /// The status of each response of the redirect chain so far.
    var responseStatuses: [Int] = []
    var bodyTooLarge = false
    let networkPolicy: NetworkPolicy
    /// Set by the open-socket callback when the policy refused an address.
    var refusal: NetworkPolicy.Refusal?
    /// Set by the debug callback when the server sent more bytes than it announced.
    var excessBytes = false
    /// With `keepRawExchange`: the bytes of every hop as they crossed the wire.
    var rawCapture: RawCapture?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init(
        request: FetchRequest,
        options: FetchOptions,
        completion: @escaping @Sendable (Result<FetchedDocument, FetchError>) -> Void
    ) throws(FetchError) {
        guard let raw = curl_easy_init() else {
            throw FetchError(code: .transport, url: request.url, message: "curl_easy_init failed")
        }
        self.raw = raw
        self.request = request
        self.completion = completion
        self.maxBodyBytes = options.maxBodyBytes
        self.networkPolicy = options.networkPolicy
        self.rawCapture = options.keepRawExchange ? RawCapture() : nil
        self.errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        try self.configure(options)
    }

    deinit {
        curl_easy_cleanup(self.raw)
        curl_slist_free_all(self.headerList)
        self.errorBuffer.deallocate()
    }

    private func configure(_ options: FetchOptions) throws(FetchError) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        var failures: [CURLcode] = []
        func check(_ code: CURLcode) { if code != CURLE_OK { failures.append(code) } }

        check(ccurl_easy_setopt_string(self.raw, CURLOPT_URL, self.request.url))
        // Only the web: no file://, ftp:// or gopher:// through a redirect either.
        check(ccurl_easy_setopt_string(self.raw, CURLOPT_PROTOCOLS_STR, "http,https"))
        check(ccurl_easy_setopt_string(self.raw, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
        // CURLOPT_NOSIGNAL: we run many threads; libcurl must not use signals for timeouts.
        check(ccurl_easy_setopt_long(self.raw, CURLOPT_NOSIGNAL, 1))
        check(ccurl_easy_setopt_long(self.raw, CURLOPT_FOLLOWLOCATION, 1))
        check(ccurl_easy_setopt_long(self.raw, CURLOPT_MAXREDIRS, options.maxRedirects))
        check(ccurl_easy_setopt_long(self.raw, CURLOPT_TIMEOUT_MS, Int(options.timeout * 1000)))
        check(ccurl_easy_setopt_long(self.raw, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout * 1000)))
        check(ccurl_easy_setopt_long(self.raw, CURLOPT_LOW_SPEED_LIMIT, options.lowSpeedBytesPerSecond))
        check(ccurl_easy_setopt_long(self.raw, CURLOPT_LOW_SPEED_TIME, options.lowSpeedSeconds))
        // Refuses at once when Content-Length announces too much; the write callback
        // enforces the limit for bodies of unknown length.
        check(ccurl_easy_setopt_off_t(self.raw, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(options.maxBodyBytes)))
        check(ccurl_easy_setopt_string(self.raw, CURLOPT_USERAGENT, self.request.userAgent ?? options.userAgent))
        // Per-feed settings: cookies (CURLOPT_COOKIE), HTTP basic credentials
        // (CURLOPT_USERNAME/PASSWORD with CURLOPT_HTTPAUTH) and a proxy (CURLOPT_PROXY).
        if let cookies = self.request.cookies { check(ccurl_easy_setopt_string(self.raw, CURLOPT_COOKIE, cookies)) }
        if let auth = self.request.auth {
            // CURLAUTH_BASIC is 1 (a macro Swift cannot import). Credentials are not sent to
            // another host after a redirect (CURLOPT_UNRESTRICTED_AUTH stays off).
            check(ccurl_easy_setopt_long(self.raw, CURLOPT_HTTPAUTH, 1))
            check(ccurl_easy_setopt_string(self.raw, CURLOPT_USERNAME, auth.user))
            check(ccurl_easy_setopt_string(self.raw, CURLOPT_PASSWORD, auth.password))
        }
        if let proxy = self.request.proxy { check(ccurl_easy_setopt_string(self.raw, CURLOPT_PROXY, proxy)) }
        // An empty string asks for every encoding this libcurl was built with (gzip, deflate, br, zstd).
        // Raw capture asks only for those the archiving layer decodes, and decodes nothing here.
        check(
            ccurl_easy_setopt_string(self.raw, CURLOPT_ACCEPT_ENCODING, self.rawCapture == nil ? "" : "gzip, deflate")
        )
        if self.rawCapture != nil { self.configureRawCapture(check) }
        // HTTP/2 over TLS when the server offers it, HTTP/1.1 otherwise.
        check(ccurl_easy_setopt_long(self.raw, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS))
        check(ccurl_easy_setopt_pointer(self.raw, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(self.errorBuffer)))
        check(ccurl_easy_setopt_write_function(self.raw, CURLOPT_WRITEFUNCTION, appendBody))
        check(ccurl_easy_setopt_pointer(self.raw, CURLOPT_WRITEDATA, context))
        check(ccurl_easy_setopt_write_function(self.raw, CURLOPT_HEADERFUNCTION, appendHeader))
        check(ccurl_easy_setopt_pointer(self.raw, CURLOPT_HEADERDATA, context))
        self.configureHostileInputChecks(context, check)
        for header in self.request.allHeaders {
            self.headerList = curl_slist_append(self.headerList, header)
        }
        if let list = self.headerList {
            check(ccurl_easy_setopt_slist(self.raw, CURLOPT_HTTPHEADER, list))
        }
        if let first = failures.first {
            throw FetchError(
                code: .invalidRequest,
                url: self.request.url,
                message: String(cString: curl_easy_strerror(first)),
                curlCode: Int32(first.rawValue)
            )
        }
    }

    /// Builds the outcome once libcurl reports the transfer done with `code` at `now`.
    func finish(_ code: CURLcode, at now: Date) -> Result<FetchedDocument, FetchError> {
        let elapsed = ContinuousClock.now - self.startedAt
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if code != CURLE_OK {
            return .failure(self.error(for: code))
        }
        if let failure = self.excessBodyError() {
            return .failure(failure)
        }
        var status = 0
        _ = ccurl_easy_getinfo_long(self.raw, CURLINFO_RESPONSE_CODE, &status)
        var effective: UnsafeMutablePointer<CChar>?
        _ = ccurl_easy_getinfo_string(self.raw, CURLINFO_EFFECTIVE_URL, &effective)
        let finalURL = effective.map { String(cString: $0) } ?? self.request.url
        var document = FetchedDocument(
            requestedURL: self.request.url,
            finalURL: finalURL,
            status: status,
            headers: self.headers,
            body: self.body,
            fetchedAt: now,
            duration: seconds
        )
        document.timings = self.timings()
        document.redirectStatuses = self.responseStatuses.dropLast().filter { (300..<400).contains($0) }
        document.exchange = self.rawExchange()
        return .success(document)
    }

    private func timings() -> FetchTimings {
        func seconds(_ info: CURLINFO) -> Double {
            var microseconds: curl_off_t = 0
            _ = ccurl_easy_getinfo_off_t(self.raw, info, &microseconds)
            return Double(microseconds) / 1_000_000
        }
        var version = 0
        _ = ccurl_easy_getinfo_long(self.raw, CURLINFO_HTTP_VERSION, &version)
        let versionName: String
        switch version {
        case Int(CURL_HTTP_VERSION_1_0): versionName = "1.0"
        case Int(CURL_HTTP_VERSION_2_0): versionName = "2"
        case Int(CURL_HTTP_VERSION_3): versionName = "3"
        default: versionName = "1.1"
        }
        return FetchTimings(
            nameLookup: seconds(CURLINFO_NAMELOOKUP_TIME_T),
            connect: seconds(CURLINFO_CONNECT_TIME_T),
            tlsHandshake: seconds(CURLINFO_APPCONNECT_TIME_T),
            firstByte: seconds(CURLINFO_STARTTRANSFER_TIME_T),
            redirects: seconds(CURLINFO_REDIRECT_TIME_T),
            total: seconds(CURLINFO_TOTAL_TIME_T),
            httpVersion: versionName
        )
    }

    private func error(for code: CURLcode) -> FetchError {
        if let failure = self.honestError(for: code) {
            return failure
        }
        let detail = String(cString: self.errorBuffer)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let kind: FetchError.Code
        switch code {
        case CURLE_OPERATION_TIMEDOUT: kind = .timeout
        case CURLE_FILESIZE_EXCEEDED: kind = .tooLarge
        case CURLE_WRITE_ERROR where self.bodyTooLarge: kind = .tooLarge
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT: kind = .invalidRequest
        default: kind = .transport
        }
        let text = kind == .tooLarge ? "body larger than \(self.maxBodyBytes) bytes" : message
        return FetchError(code: kind, url: self.request.url, message: text, curlCode: Int32(code.rawValue))
    }
}

@available(*, unavailable)
extension EasyHandle: Sendable {}

/// CURLOPT_WRITEFUNCTION: appends body bytes; returning less than given aborts the transfer.
private let appendBody: ccurl_write_fn = { data, size, count, context in
    guard let data, let context else { return 0 }
    let handle = Unmanaged<EasyHandle>.fromOpaque(context).takeUnretainedValue()
    let total = size * count
    if handle.body.count + total > handle.maxBodyBytes {
        handle.bodyTooLarge = true
        return 0
    }
    data.withMemoryRebound(to: UInt8.self, capacity: total) {
        handle.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: total))
    }
    return total
}

/// CURLOPT_HEADERFUNCTION: called once per header line, for every response of a redirect chain.
private let appendHeader: ccurl_write_fn = { data, size, count, context in
    guard let data, let context else { return 0 }
    let handle = Unmanaged<EasyHandle>.fromOpaque(context).takeUnretainedValue()
    let total = size * count
    let line = data.withMemoryRebound(to: UInt8.self, capacity: total) {
        String(decoding: UnsafeBufferPointer(start: $0, count: total), as: UTF8.self)
    }
    handle.rawCapture?.noteHeaderLine(UnsafeRawBufferPointer(start: data, count: total))
    if line.hasPrefix("HTTP/") {
        // A new response (after a redirect or a 100 Continue): keep only the last one's headers.
        handle.headers = HTTPHeaders()
        let parts = line.split(separator: " ", maxSplits: 2)
        if parts.count >= 2, let status = Int(parts[1]), status >= 200 { handle.responseStatuses.append(status) }
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].trimmingASCIIWhitespace()
        let value = line[line.index(after: colon)...].trimmingASCIIWhitespace()
        if !name.isEmpty { handle.headers.add(name: name, value: value) }
    }
    return total
}

extension Substring {
    fileprivate func trimmingASCIIWhitespace() -> String { String(self).trimmingASCIIWhitespace() }
}
