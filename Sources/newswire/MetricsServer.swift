import Dispatch
import FlyingFox
import FlyingSocks
import Foundation
import NewswirePipeline
import Prometheus
import Synchronization

/// The daemon's HTTP endpoint: `/metrics` in Prometheus text format and `/healthz`
/// (200 while the state store and the output work, 503 otherwise).
final class MetricsServer: Sendable {
    private let server: HTTPServer
    private let task: Task<Void, any Error>

    private init(server: HTTPServer, task: Task<Void, any Error>) {
        self.server = server
        self.task = task
    }

    /// Starts listening on `listen` (`HOST:PORT`) and returns once it does.
    ///
    /// - Parameters:
    ///   - beforeScrape: updates gauges just before `/metrics` is written.
    ///   - health: whether the daemon is healthy, and why not.
    /// - Throws: when the address cannot be bound.
    static func start(
        listen: String,
        registry: PrometheusCollectorRegistry,
        beforeScrape: @escaping @Sendable () -> Void,
        health: @escaping @Sendable () -> (healthy: Bool, detail: String)
    ) throws -> MetricsServer {
        guard let (host, port) = WatchOptions.hostAndPort(listen) else {
            throw MetricsServerError(message: "not HOST:PORT: \(listen)")
        }
        let server =
            host.contains(":")
            ? HTTPServer(address: try sockaddr_in6.inet6(ip6: host, port: port), timeout: 10, logger: .disabled)
            : HTTPServer(address: try sockaddr_in.inet(ip4: host, port: port), timeout: 10, logger: .disabled)
        let started = DispatchSemaphore(value: 0)
        let failure = Mutex<(any Error)?>(nil)
        let task = Task {
            await server.appendRoute("GET /metrics") { _ in
                beforeScrape()
                var buffer: [UInt8] = []
                registry.emit(into: &buffer)
                return HTTPResponse(
                    statusCode: .ok,
                    headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: Data(buffer)
                )
            }
            await server.appendRoute("GET /healthz") { _ in
                let (healthy, detail) = health()
                return HTTPResponse(
                    statusCode: healthy ? .ok : .serviceUnavailable,
                    headers: [.contentType: "text/plain; charset=utf-8"],
                    body: Data((detail + "\n").utf8)
                )
            }
            do {
                try await server.run()
            } catch {
                failure.withLock { $0 = error }
                started.signal()
                throw error
            }
        }
        let listening = Task {
            try? await server.waitUntilListening(timeout: 5)
            started.signal()
        }
        started.wait()
        listening.cancel()
        if let error = failure.withLock({ $0 }) { throw error }
        return MetricsServer(server: server, task: task)
    }

    func stop() {
        let server = self.server
        let done = DispatchSemaphore(value: 0)
        Task {
            await server.stop(timeout: 1)
            done.signal()
        }
        _ = done.wait(timeout: .now() + 2)
        self.task.cancel()
    }
}

struct MetricsServerError: Error, CustomStringConvertible {
    var message: String
    var description: String { self.message }
}
