import Foundation
import Synchronization

/// A TCP proxy in front of the test server that, when armed, forwards the next `COMMIT` to
/// the server and then cuts the connection before the answer comes back: the client cannot
/// know whether its transaction was applied.
///
/// It reads the PostgreSQL wire protocol from the client only as far as it must
/// (https://www.postgresql.org/docs/15/protocol-message-formats.html): the startup message
/// (a length, no type byte), then messages of a type byte and a length. Clients must not ask
/// for TLS or GSS encryption (`sslmode=disable&gssencmode=disable`).
final class CommitCuttingProxy: Sendable {
    let port: Int
    private let listener: Int32
    private let armed = Atomic<Bool>(false)
    private let serverPort: Int
    private let cuts = Atomic<Int>(0)

    init(serverPort: Int) throws {
        self.serverPort = serverPort
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        guard bound == 0, listen(listener, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        self.port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in self.acceptLoop() }
        thread.start()
    }

    /// Cuts the connection right after the next `COMMIT` is forwarded.
    func arm() { self.armed.store(true, ordering: .sequentiallyConsistent) }

    /// Connections cut so far.
    var cutCount: Int { self.cuts.load(ordering: .sequentiallyConsistent) }

    private func acceptLoop() {
        while true {
            let client = accept(self.listener, nil, nil)
            guard client >= 0 else { return }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(self.serverPort).bigEndian
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else {
                close(client)
                close(server)
                continue
            }
            let link = Link()
            Thread { self.pumpFromClient(client, to: server, link: link) }.start()
            Thread { Self.copy(from: server, to: client, link: link) }.start()
        }
    }

    /// What the two directions of one connection share.
    private final class Link: Sendable {
        /// Set before the armed `COMMIT` goes out: nothing more reaches the client.
        let cut = Atomic<Bool>(false)
    }

    private func pumpFromClient(_ client: Int32, to server: Int32, link: Link) {
        defer {
            shutdown(client, Int32(SHUT_RDWR))
            shutdown(server, Int32(SHUT_RDWR))
        }
        // The startup message: a length that counts itself, no type byte.
        guard let header = Self.read(client, count: 4) else { return }
        let startupLength = Self.length(header)
        guard startupLength >= 4, let startup = Self.read(client, count: startupLength - 4) else { return }
        guard Self.write(server, header + startup) else { return }
        while true {
            guard let head = Self.read(client, count: 5) else { return }
            let length = Self.length(Array(head[1...]))
            guard length >= 4, let body = Self.read(client, count: length - 4) else { return }
            let isCommit = head[0] == UInt8(ascii: "Q") && body.starts(with: Array("COMMIT".utf8))
            let cutting = isCommit && self.armed.exchange(false, ordering: .sequentiallyConsistent)
            if cutting {
                link.cut.store(true, ordering: .sequentiallyConsistent)
                self.cuts.add(1, ordering: .sequentiallyConsistent)
            }
            guard Self.write(server, head + body) else { return }
            if cutting {
                // Let the server apply it; its answer is not relayed; then cut.
                Thread.sleep(forTimeInterval: 0.3)
                return
            }
        }
    }

    private static func copy(from source: Int32, to destination: Int32, link: Link) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            guard count > 0, !link.cut.load(ordering: .sequentiallyConsistent) else { break }
            guard Self.write(destination, Array(buffer[0..<count])) else { break }
        }
        shutdown(source, Int32(SHUT_RDWR))
        shutdown(destination, Int32(SHUT_RDWR))
    }

    private static func read(_ socket: Int32, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes { recv(socket, $0.baseAddress! + done, count - done, 0) }
            guard got > 0 else { return nil }
            done += got
        }
        return bytes
    }

    private static func write(_ socket: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let sent = bytes.withUnsafeBytes {
                send(socket, $0.baseAddress! + done, bytes.count - done, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { return false }
            done += sent
        }
        return true
    }

    private static func length(_ bytes: [UInt8]) -> Int {
        Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
    }
}
