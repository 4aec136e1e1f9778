import Foundation
import NewswireCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A deliberately badly behaved HTTP/1.1 server on a loopback address, for tests.
///
/// ``TestSite`` (FlyingFox) answers well-formed responses; this one writes raw bytes with
/// POSIX sockets, so a test can send what a hostile or broken server sends: headers and
/// bodies dripped a few bytes at a time, bodies that never end, a `Content-Length` longer
/// or shorter than the body, connections reset mid-body, megabyte headers, gzip bombs.
///
/// It listens on `host` (any address of 127.0.0.0/8) with an ephemeral port and counts the
/// connections it **accepts**, so a test can prove that a refused address saw no connection
/// at all, not merely no request. Each connection is served on a thread of its own and
/// closed after one response. Thread-safe; ``stop()`` closes the listening socket.
public final class HostileServer: Sendable {
    /// What the server does with a request for one path.
    public enum Behaviour: Sendable {
        /// A well-formed response with the right `Content-Length`.
        case response(status: Int, headers: [String: String], body: [UInt8])
        /// `head` (status line and headers, without the blank line) and `body`, with a
        /// `Content-Length` of `announced`, whatever the body's real length.
        case wrongLength(head: String, body: [UInt8], announced: Int)
        /// The response written `chunk` bytes at a time, `interval` seconds apart, headers included.
        case drip(response: [UInt8], chunk: Int, interval: Double)
        /// Headers, then body bytes repeated for ever (until the client goes away).
        case endless(head: String, repeating: [UInt8])
        /// `prefix` written, then the connection reset (SO_LINGER 0 sends a TCP RST).
        case reset(prefix: [UInt8])
        /// Exactly these bytes, then the connection closed.
        case raw([UInt8])
    }

    private struct State {
        var routes: [String: Behaviour] = [:]
        var requests: [String] = []
        var stopped = false
    }

    private let listener: Int32
    /// The port the server listens on.
    public let port: Int
    /// The address the server listens on.
    public let host: String
    private let state = Mutex(State())
    private let accepted = Atomic<Int>(0)

    /// Binds `host` (a dotted IPv4 loopback address) on an ephemeral port and starts accepting.
    public init(host: String = "127.0.0.1") throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw StageError(.internal, "socket: \(String(cString: strerror(errno)))") }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(descriptor)
            throw StageError(.internal, "not an IPv4 address: \(host)")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, 64) == 0 else {
            let message = String(cString: strerror(errno))
            close(descriptor)
            throw StageError(.internal, "bind/listen \(host): \(message)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.listener = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.host = host
        let thread = Thread { [self] in self.acceptLoop() }
        thread.name = "hostile-server-accept"
        thread.start()
    }

    deinit {
        self.stop()
    }

    /// `http://HOST:PORT`.
    public var baseURL: String { "http://\(self.host):\(self.port)" }

    /// Connections accepted so far (each TCP connection counts, with or without a request).
    public var acceptedConnections: Int { self.accepted.load(ordering: .acquiring) }

    /// Request targets received so far, in arrival order.
    public var requests: [String] { self.state.withLock { $0.requests } }

    /// Serves `behaviour` at `path` (matched exactly, query included).
    public func route(_ path: String, _ behaviour: Behaviour) {
        self.state.withLock { $0.routes[path] = behaviour }
    }

    /// Stops accepting; connections being served finish on their own threads.
    public func stop() {
        let first = self.state.withLock { state -> Bool in
            defer { state.stopped = true }
            return !state.stopped
        }
        guard first else { return }
        shutdown(self.listener, Int32(SHUT_RDWR))
        close(self.listener)
    }

    private func acceptLoop() {
        while true {
            let connection = accept(self.listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            self.accepted.add(1, ordering: .acquiringAndReleasing)
            let thread = Thread { [self] in
                self.serve(connection)
                close(connection)
            }
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        guard let target = Self.readRequestTarget(connection) else { return }
        let behaviour = self.state.withLock { state -> Behaviour? in
            state.requests.append(target)
            return state.routes[target]
        }
        switch behaviour ?? .response(status: 404, headers: ["Content-Type": "text/plain"], body: Array("no".utf8)) {
        case .response(let status, let headers, let body):
            var head = "HTTP/1.1 \(status) Status\r\n"
            for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
            head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
            _ = Self.write(connection, Array(head.utf8) + body)
        case .wrongLength(let head, let body, let announced):
            let text = head + "\r\nContent-Length: \(announced)\r\nConnection: close\r\n\r\n"
            _ = Self.write(connection, Array(text.utf8) + body)
        case .drip(let response, let chunk, let interval):
            var offset = 0
            while offset < response.count {
                let end = min(offset + max(1, chunk), response.count)
                guard Self.write(connection, Array(response[offset..<end])) else { return }
                offset = end
                if offset < response.count { Thread.sleep(forTimeInterval: interval) }
            }
        case .endless(let head, let repeating):
            guard Self.write(connection, Array((head + "\r\nConnection: close\r\n\r\n").utf8)) else { return }
            let block = Array([[UInt8]](repeating: repeating, count: max(1, 65_536 / max(1, repeating.count))).joined())
            while Self.write(connection, block) {}
        case .reset(let prefix):
            _ = Self.write(connection, prefix)
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(connection, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        case .raw(let bytes):
            _ = Self.write(connection, bytes)
        }
    }

    /// Reads the request head (up to 64 KB) and returns its target, `/path?query`.
    private static func readRequestTarget(_ connection: Int32) -> String? {
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let end = Array("\r\n\r\n".utf8)
        while head.count < 65_536 {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            head.append(contentsOf: buffer[0..<count])
            if head.count >= 4, head.indices.dropLast(3).contains(where: { head[$0..<($0 + 4)].elementsEqual(end) }) {
                break
            }
        }
        let line = String(decoding: head.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
        let parts = line.split(separator: " ")
        return parts.count >= 2 ? String(parts[1]) : nil
    }

    /// Writes all of `bytes`; `false` once the peer has gone.
    private static func write(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                send(connection, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }
}
