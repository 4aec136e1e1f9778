internal import CCurl
import NewswireCore

#if canImport(Glibc)
import Glibc
#endif

// The checks that keep a hostile server or URL from turning the fetcher against its host,
// and that name what went wrong instead of libcurl's nearest code.
extension EasyHandle {
    /// Sets the open-socket callback (network policy) and the debug callback (excess bytes).
    func configureHostileInputChecks(_ context: UnsafeMutableRawPointer, _ check: (CURLcode) -> Void) {
        check(ccurl_easy_setopt_opensocket_function(self.raw, openSocket))
        check(ccurl_easy_setopt_pointer(self.raw, CURLOPT_OPENSOCKETDATA, context))
        // libcurl tells of bytes beyond Content-Length only as an informational text
        // ("Excess found"), which reaches CURLOPT_DEBUGFUNCTION only with CURLOPT_VERBOSE.
        check(ccurl_easy_setopt_debug_function(self.raw, watchInformation))
        check(ccurl_easy_setopt_pointer(self.raw, CURLOPT_DEBUGDATA, context))
        check(ccurl_easy_setopt_long(self.raw, CURLOPT_VERBOSE, 1))
    }

    /// The error for `code` when it is one libcurl reports under a misleading name.
    func honestError(for code: CURLcode) -> FetchError? {
        let detail = String(cString: self.errorBuffer)
        var error: FetchError
        if let refusal = self.refusal {
            error = FetchError(code: .policy, url: self.request.url, message: refusal.description)
        } else if code == CURLE_PARTIAL_FILE {
            var announced: curl_off_t = -1
            _ = ccurl_easy_getinfo_off_t(self.raw, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced)
            let expected = announced >= 0 ? " of \(announced) announced" : ""
            error = FetchError(
                code: .truncated,
                url: self.request.url,
                message: "body cut short: the connection closed after \(self.body.count)\(expected) bytes"
            )
        } else if code == CURLE_OUT_OF_MEMORY {
            // libcurl 7.x reports a header line over CURL_MAX_HTTP_HEADER (100 KB), or headers
            // over its total cap, as "Out of memory": its dynamic buffers refuse to grow.
            error = FetchError(
                code: .tooLarge,
                url: self.request.url,
                message: "response header larger than libcurl's limit (100 KB a line)"
            )
        } else if code == CURLE_BAD_CONTENT_ENCODING {
            error = FetchError(
                code: .truncated,
                url: self.request.url,
                message: "compressed body is corrupt or cut short after \(self.body.count) bytes: \(detail)"
            )
        } else if detail.contains("reset by peer") {
            error = FetchError(
                code: .transport,
                url: self.request.url,
                message: "connection reset by the server after \(self.body.count) body bytes"
            )
        } else {
            return nil
        }
        error.curlCode = Int32(code.rawValue)
        error.retryAfter = self.headers["Retry-After"].flatMap({ RetryAfter.seconds($0) })
        return error
    }

    /// A `truncated` error when the server sent more bytes than its Content-Length.
    func excessBodyError() -> FetchError? {
        guard self.excessBytes else { return nil }
        return FetchError(
            code: .truncated,
            url: self.request.url,
            message: "body cut short: the server sent more bytes than its Content-Length (\(self.body.count))"
        )
    }
}

/// CURLOPT_OPENSOCKETFUNCTION: refuses an address the network policy forbids before any
/// socket exists, else opens the socket libcurl asked for.
private let openSocket: ccurl_opensocket_fn = { context, _, address in
    guard let context, let address else { return ccurl_socket_bad() }
    let handle = Unmanaged<EasyHandle>.fromOpaque(context).takeUnretainedValue()
    var bytes = [UInt8](repeating: 0, count: 16)
    let length = Int(ccurl_sockaddr_ip(address, &bytes))
    if let refusal = handle.networkPolicy.refusal(for: Array(bytes.prefix(length))) {
        handle.refusal = refusal
        return ccurl_socket_bad()
    }
    return socket(address.pointee.family, address.pointee.socktype, address.pointee.protocol)
}

/// CURLOPT_DEBUGFUNCTION: watches libcurl's informational texts for bytes past Content-Length
/// ("Excess found …: excess = N, …"). Up to two stray bytes (a CR LF some servers add) are
/// forgiven: the announced body arrived whole.
private let watchInformation: ccurl_debug_fn = { _, type, data, size, context in
    if type == CURLINFO_HEADER_OUT, let data, let context {
        // The request head as sent, for the archive's request records.
        let handle = Unmanaged<EasyHandle>.fromOpaque(context).takeUnretainedValue()
        handle.rawCapture?.noteRequest(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
    guard type == CURLINFO_TEXT, let data, let context, size >= 12 else { return 0 }
    let bytes = data.withMemoryRebound(to: UInt8.self, capacity: size) {
        Array(UnsafeBufferPointer(start: $0, count: min(size, 200)))
    }
    guard bytes.starts(with: "Excess found".utf8) else { return 0 }
    // The number after "excess = ", read from the bytes.
    let marker = Array("excess = ".utf8)
    var excess = Int.max
    if let start = (0...(bytes.count - marker.count)).first(where: {
        bytes[$0..<($0 + marker.count)].elementsEqual(marker)
    }) {
        let digits = bytes[(start + marker.count)...].prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        excess = Int(String(decoding: digits, as: UTF8.self)) ?? Int.max
    }
    if excess > 2 {
        Unmanaged<EasyHandle>.fromOpaque(context).takeUnretainedValue().excessBytes = true
    }
    return 0
}
