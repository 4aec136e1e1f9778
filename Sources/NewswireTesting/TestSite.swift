import FlyingFox
import FlyingSocks
public import Foundation
import NewswireCore
import Synchronization

/// A local web site on 127.0.0.1 with an ephemeral port, for tests and the demo.
///
/// It serves the files of a folder and routes added in code. In text files, every
/// `{{BASE_URL}}` becomes the site's own address (`http://127.0.0.1:PORT`), so feeds can
/// name absolute links to a port chosen at run time. A folder may hold `_site.json` with
/// extra behaviour per path:
///
/// ```json
/// {"redirects": {"/old.html": "/new.html"}, "status": {"/broken.xml": 500},
///  "headers": {"/latin1.xml": {"Content-Type": "application/rss+xml; charset=ISO-8859-1"}},
///  "delay": {"/slow.xml": 5}}
/// ```
///
/// A path with no file and no route answers 404. Thread-safe.
public final class TestSite: Sendable {
    /// A canned response for one path.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: [UInt8]
        /// Seconds to wait before answering.
        public var delay: Double

        public init(status: Int = 200, headers: [String: String] = [:], body: [UInt8] = [], delay: Double = 0) {
            self.status = status
            self.headers = headers
            self.body = body
            self.delay = delay
        }

        public init(status: Int = 200, contentType: String, body: String, delay: Double = 0) {
            self.init(status: status, headers: ["Content-Type": contentType], body: Array(body.utf8), delay: delay)
        }

        /// A redirect to `location` (relative or absolute).
        public static func redirect(to location: String, status: Int = 301) -> Response {
            Response(status: status, headers: ["Location": location])
        }
    }

    private struct Rules: Decodable {
        var redirects: [String: String]?
        var status: [String: Int]?
        var headers: [String: [String: String]]?
        var delay: [String: Double]?
    }

    /// One request as the site saw it arrive.
    public struct Arrival: Sendable {
        /// The path with its query.
        public var target: String
        public var at: ContinuousClock.Instant
    }

    private struct State {
        var routes: [String: Response] = [:]
        /// Responses given in turn, the last one again once the others are used.
        var sequences: [String: [Response]] = [:]
        var requests: [String] = []
        var arrivals: [Arrival] = []
        var inFlight = 0
        var maxInFlight = 0
        var requestHeaders: [[String: String]] = []
        var baseURL: String = ""
        var notModified = 0
        /// Paths answered 403 unless the request carries these headers (names lower-cased).
        var required: [String: [String: String]] = [:]
    }

    private let root: URL?
    private let rules: Rules
    private let state = Mutex(State())
    private let server: HTTPServer
    private let task = Mutex<Task<Void, any Error>?>(nil)

    /// A site serving the files below `root` (if given) and the routes added later.
    public init(root: URL? = nil) throws {
        self.root = root
        if let root, let data = try? Data(contentsOf: root.appendingPathComponent("_site.json")) {
            self.rules = try JSONDecoder().decode(Rules.self, from: data)
        } else {
            self.rules = Rules()
        }
        let handler = Handler()
        // IPv4 loopback: FlyingFox's `.loopback` is ::1, and DESIGN.md names 127.0.0.1.
        let address = try sockaddr_in.inet(ip4: "127.0.0.1", port: 0)
        self.server = HTTPServer(address: address, timeout: 30, logger: .disabled, handler: handler)
        handler.site.withLock { $0.value = self }
    }

    /// Answers `path` with 403 Forbidden unless the request carries every header of
    /// `headers` with that exact value (as a site that wants a user agent, a key, a cookie
    /// or credentials does).
    public func require(_ headers: [String: String], at path: String) {
        self.state.withLock { state in
            state.required[path] = Dictionary(uniqueKeysWithValues: headers.map { ($0.key.lowercased(), $0.value) })
        }
    }

    /// Serves `response` at `path` (which may carry a query, matched exactly).
    public func route(_ path: String, _ response: Response) {
        self.state.withLock { $0.routes[path] = response }
    }

    /// Answers `path` with `responses` in turn; once they are used up, the last one again.
    public func route(_ path: String, sequence responses: [Response]) {
        self.state.withLock { $0.sequences[path] = responses }
    }

    /// Starts listening; returns the base URL, `http://127.0.0.1:PORT`.
    @discardableResult
    public func start() async throws -> String {
        let server = self.server
        let task = Task { try await server.run() }
        self.task.withLock { $0 = task }
        try await server.waitUntilListening()
        let address = await server.listeningAddress
        guard case .ip4(_, let port) = address else {
            throw StageError(.internal, "test site has no IPv4 address: \(String(describing: address))")
        }
        let base = "http://127.0.0.1:\(port)"
        self.state.withLock { $0.baseURL = base }
        return base
    }

    /// Stops the server.
    public func stop() async {
        await self.server.stop(timeout: 1)
        self.task.withLock { $0?.cancel() }
    }

    /// `http://127.0.0.1:PORT` once started.
    public var baseURL: String { self.state.withLock { $0.baseURL } }

    /// Paths (with query) requested so far, in arrival order.
    public var requests: [String] { self.state.withLock { $0.requests } }

    /// Every request with the time it arrived, in arrival order.
    public var arrivals: [Arrival] { self.state.withLock { $0.arrivals } }

    /// The most requests the site was answering at one time.
    public var maxInFlight: Int { self.state.withLock { $0.maxInFlight } }

    /// Conditional requests answered 304 Not Modified so far.
    public var notModifiedCount: Int { self.state.withLock { $0.notModified } }

    /// The headers of each request (names lower-cased), in the order of ``requests``.
    public var requestHeaders: [[String: String]] { self.state.withLock { $0.requestHeaders } }

    fileprivate func respond(to request: HTTPRequest) async -> HTTPResponse {
        let target =
            request.query.isEmpty
            ? request.path : "\(request.path)?\(request.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&"))"
        let (routed, base, allowed) = self.state.withLock { state in
            state.requests.append(target)
            state.arrivals.append(Arrival(target: target, at: .now))
            state.inFlight += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight)
            var headers: [String: String] = [:]
            for (name, value) in request.headers { headers[name.rawValue.lowercased()] = value }
            state.requestHeaders.append(headers)
            let allowed = (state.required[request.path] ?? [:]).allSatisfy { headers[$0.key] == $0.value }
            var routed = state.routes[target] ?? state.routes[request.path]
            if var sequence = state.sequences[request.path], let next = sequence.first {
                routed = next
                if sequence.count > 1 { sequence.removeFirst() }
                state.sequences[request.path] = sequence
            }
            return (routed, state.baseURL, allowed)
        }
        defer { self.state.withLock { $0.inFlight -= 1 } }
        guard allowed else {
            return HTTPResponse(statusCode: HTTPStatusCode(403, phrase: "Forbidden"), body: Data("forbidden".utf8))
        }
        let response = routed ?? self.fileResponse(for: request.path, base: base)
        if response.delay > 0 {
            try? await Task.sleep(for: .milliseconds(Int(response.delay * 1000)))
        }
        var headers = HTTPHeaders()
        for (name, value) in response.headers {
            headers[HTTPHeader(name)] = value.replacingOccurrences(of: "{{BASE_URL}}", with: base)
        }
        // Like most web servers: a validator for every full response, and 304 for a
        // conditional request that names the current one.
        if response.status == 200 && !response.headers.keys.contains(where: { $0.lowercased() == "etag" }) {
            let tag = "\"\(Self.hash(response.body))\""
            headers[HTTPHeader("ETag")] = tag
            if request.headers[HTTPHeader("If-None-Match")] == tag {
                self.state.withLock { $0.notModified += 1 }
                return HTTPResponse(statusCode: HTTPStatusCode(304, phrase: "Not Modified"), headers: headers)
            }
        }
        return HTTPResponse(
            statusCode: HTTPStatusCode(response.status, phrase: Self.phrase(response.status)),
            headers: headers,
            body: Data(response.body)
        )
    }

    private func fileResponse(for path: String, base: String) -> Response {
        if let location = self.rules.redirects?[path] {
            return .redirect(to: location)
        }
        var response: Response
        if let root = self.root, !path.contains(".."), !path.hasPrefix("/_site"),
            let data = try? Data(contentsOf: root.appendingPathComponent(path == "/" ? "index.html" : path)),
            path == "/" || !path.hasSuffix("/")
        {
            var body = [UInt8](data)
            let type = Self.contentType(for: path)
            if type.hasPrefix("text/") || type.contains("xml") || type.contains("json") {
                body = Self.substitute(base: base, in: body)
            }
            response = Response(status: 200, headers: ["Content-Type": type], body: body)
        } else {
            response = Response(status: 404, contentType: "text/html; charset=utf-8", body: "<h1>Not found</h1>")
        }
        if let status = self.rules.status?[path] {
            response.status = status
        }
        if let headers = self.rules.headers?[path] {
            response.headers.merge(headers) { _, new in new }
        }
        response.delay = self.rules.delay?[path] ?? 0
        return response
    }

    private static func hash(_ bytes: [UInt8]) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return String(value, radix: 16)
    }

    private static func substitute(base: String, in body: [UInt8]) -> [UInt8] {
        let marker = Array("{{BASE_URL}}".utf8)
        let replacement = Array(base.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(body.count)
        var index = 0
        while index < body.count {
            if body[index] == marker[0], index + marker.count <= body.count,
                body[index..<(index + marker.count)].elementsEqual(marker)
            {
                output.append(contentsOf: replacement)
                index += marker.count
            } else {
                output.append(body[index])
                index += 1
            }
        }
        return output
    }

    private static func contentType(for path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "html", "htm", "": "text/html; charset=utf-8"
        case "xml": "application/xml"
        case "rss": "application/rss+xml"
        case "atom": "application/atom+xml"
        case "json": "application/json"
        case "opml": "text/x-opml"
        case "txt": "text/plain; charset=utf-8"
        default: "application/octet-stream"
        }
    }

    private static func phrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 404: "Not Found"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

/// Hands requests to the site; the indirection lets the site build its server first.
/// The site is held weakly: the site holds the server, which holds this handler, and a
/// strong reference back made a cycle that kept every site, its routes and its request log
/// alive after the test (LeakSanitizer reported them under `scripts/test --sanitize`).
private final class Handler: HTTPHandler {
    struct WeakSite {
        weak var value: TestSite?
    }

    let site = Mutex(WeakSite())

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let site = self.site.withLock({ $0.value }) else {
            return HTTPResponse(statusCode: .internalServerError)
        }
        return await site.respond(to: request)
    }
}

/// Runs blocking work on a thread of its own, off Swift's cooperative pool.
///
/// The pipeline blocks on semaphores and queues; run from an `async` test directly, it
/// could starve the pool that also runs the test site's server.
public func runBlocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.start()
    }
}
