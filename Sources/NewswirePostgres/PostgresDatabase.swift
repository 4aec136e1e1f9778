import Logging
import Synchronization

import struct Foundation.URLComponents
import func Foundation.usleep

/// How long and how often a lost connection is retried.
public struct PostgresRetryPolicy: Sendable, Hashable {
    /// The first wait, in seconds; each further wait doubles, up to ``maximumDelay``.
    public var initialDelay: Double
    /// The longest wait between two attempts, in seconds.
    public var maximumDelay: Double
    /// How long to keep retrying one unit of work before it fails with
    /// ``PostgresError/Code/unavailable``, in seconds.
    public var giveUpAfter: Double

    public init(initialDelay: Double = 0.1, maximumDelay: Double = 5, giveUpAfter: Double = 120) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.giveUpAfter = giveUpAfter
    }

    /// 0.1 s doubling to 5 s, for up to two minutes: a server restart or a fail-over is
    /// ridden out; a database that stays down stops the worker.
    public static let standard = PostgresRetryPolicy()
}

/// One connection to a PostgreSQL database, shared by the threads of a worker, that survives
/// server restarts.
///
/// Thread-safe: a lock lets one unit of work (a query or a whole transaction) use the
/// connection at a time; others wait. When the connection is lost (a restart, a killed
/// backend, the network) the unit is run again as a whole on a new connection, after waits
/// that grow by ``PostgresRetryPolicy``, each logged; callers block meanwhile, which is the
/// backpressure, and nothing is dropped. A transaction whose `COMMIT` was cut off is not run
/// twice: its outcome is read back with `txid_status` first.
final class PostgresDatabase: Sendable {
    /// The URL without its password, for messages.
    let name: String
    private let url: String
    private let schema: String?
    private let retry: PostgresRetryPolicy
    private let logger: Logger
    private let connection: Mutex<PostgresConnection?>
    private let counter: RoundTripCounter
    private let reachable = Atomic<Bool>(true)

    /// Connects to `url`, once (a wrong URL or password fails at once, without retries).
    /// - Parameters:
    ///   - schema: When set, every connection works in this schema (created if missing).
    /// - Throws: ``PostgresError`` with code `connect`.
    init(url: String, schema: String?, retry: PostgresRetryPolicy, logger: Logger) throws(PostgresError) {
        self.url = url
        self.name = Self.redacted(url)
        self.schema = schema
        self.retry = retry
        self.logger = logger
        let counter = RoundTripCounter()
        self.counter = counter
        do throws(PostgresFailure) {
            self.connection = Mutex(try Self.open(url: url, schema: schema, counter: counter))
        } catch {
            throw PostgresError(
                .connect,
                database: Self.redacted(url),
                message: error.message,
                sqlState: error.sqlState
            )
        }
    }

    /// Statements sent to the server so far (each is one round trip).
    var roundTrips: Int { self.counter.value }

    /// False from a lost connection until a statement succeeds again; never blocks.
    var isReachable: Bool { self.reachable.load(ordering: .relaxed) }

    /// Runs `body` on the connection, again on a new one if the connection is lost.
    ///
    /// `body` must be safe to run again from the start: reads, or one statement that is
    /// atomic on its own.
    /// - Throws: ``PostgresError`` with `code` for a failure the server reported, or
    ///   `unavailable` when the connection stays lost.
    @discardableResult
    func withConnection<Result: Sendable>(
        _ code: PostgresError.Code,
        _ body: (PostgresConnection) throws(PostgresFailure) -> Result
    ) throws(PostgresError) -> Result {
        try self.run(code) { connection throws(PostgresFailure) in try body(connection) }
    }

    /// Runs `body` in one transaction, started by `BEGIN` and ended by `COMMIT`; when the
    /// connection is lost or the transaction conflicts, the whole transaction runs again.
    ///
    /// - Parameters:
    ///   - lock: When set, the transaction first takes `pg_advisory_xact_lock(lock, <schema>)`,
    ///     so transactions with the same lock run one after the other (held until commit).
    /// - Throws: ``PostgresError`` (nothing of the transaction was stored).
    func transaction<Result: Sendable>(
        _ code: PostgresError.Code,
        lock: Int32? = nil,
        _ body: (PostgresConnection) throws(PostgresFailure) -> Result
    ) throws(PostgresError) -> Result {
        // A COMMIT cut off by a lost connection may or may not have been applied: remember the
        // transaction id and its result, and ask the server before running it again.
        var uncertain: (xid: String, result: Result)?
        let begin =
            if let lock {
                "BEGIN; SELECT txid_current()::text, pg_advisory_xact_lock(\(lock), hashtext(current_schema()))"
            } else {
                "BEGIN; SELECT txid_current()::text"
            }
        return try self.run(code) { connection throws(PostgresFailure) in
            if let (xid, result) = uncertain {
                let status = try connection.execute("SELECT txid_status($1::bigint)", [.text(xid)]).scalar
                switch status {
                case "committed":
                    self.logger.info("postgres commit had succeeded", metadata: ["postgres.xid": "\(xid)"])
                    return result
                case "in progress":
                    throw .connectionLost(message: "transaction \(xid) still in progress", sqlState: nil)
                default:
                    uncertain = nil
                }
            }
            let xid = try connection.executeScript(begin).scalar ?? ""
            let result: Result
            do throws(PostgresFailure) {
                result = try body(connection)
            } catch {
                if connection.isConnected { _ = try? connection.executeScript("ROLLBACK") }
                throw error
            }
            do throws(PostgresFailure) {
                try connection.commit()
            } catch {
                if case .connectionLost = error { uncertain = (xid, result) }
                throw error
            }
            return result
        }
    }

    private func run<Result: Sendable>(
        _ code: PostgresError.Code,
        _ body: (PostgresConnection) throws(PostgresFailure) -> Result
    ) throws(PostgresError) -> Result {
        let result: Swift.Result<Result, PostgresError> = self.connection.withLock { slot in
            let clock = ContinuousClock()
            let start = clock.now
            var attempt = 0
            while true {
                let failure: PostgresFailure
                do throws(PostgresFailure) {
                    let connection: PostgresConnection
                    if let current = slot, current.isConnected {
                        connection = current
                    } else {
                        slot = nil
                        connection = try Self.open(url: self.url, schema: self.schema, counter: self.counter)
                        slot = connection
                        if attempt > 0 {
                            self.logger.info("postgres reconnected", metadata: ["postgres.attempts": "\(attempt)"])
                        }
                    }
                    let result = try body(connection)
                    self.reachable.store(true, ordering: .relaxed)
                    return .success(result)
                } catch {
                    failure = error
                }
                switch failure {
                case .statement(let message, let state):
                    return .failure(PostgresError(code, database: self.name, message: message, sqlState: state))
                case .connectionLost, .conflict:
                    if case .connectionLost = failure {
                        slot = nil
                        self.reachable.store(false, ordering: .relaxed)
                    }
                    attempt += 1
                    let elapsed = clock.now - start
                    let delay = min(
                        self.retry.initialDelay * Double(1 << min(attempt - 1, 30)),
                        self.retry.maximumDelay
                    )
                    guard elapsed + .seconds(delay) <= .seconds(self.retry.giveUpAfter) else {
                        return .failure(
                            PostgresError(
                                .unavailable,
                                database: self.name,
                                message: "gave up after \(attempt) attempts: \(failure.message)",
                                sqlState: failure.sqlState
                            )
                        )
                    }
                    self.logger.info(
                        "postgres retrying",
                        metadata: [
                            "postgres.attempt": "\(attempt)", "postgres.delay_seconds": "\(delay)",
                            "postgres.sqlstate": "\(failure.sqlState ?? "")", "error": "\(failure.message)",
                        ]
                    )
                    usleep(UInt32(delay * 1_000_000))
                }
            }
        }
        return try result.get()
    }

    private static func open(
        url: String,
        schema: String?,
        counter: RoundTripCounter
    ) throws(PostgresFailure) -> PostgresConnection {
        let connection = try PostgresConnection(url: url, roundTrips: counter)
        if let schema {
            let quoted = "\"" + schema.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            do {
                try connection.executeScript("CREATE SCHEMA IF NOT EXISTS \(quoted)")
            } catch .statement(_, let state) where state == "23505" || state == "42P06" {
                // Two workers created it at the same moment: IF NOT EXISTS does not cover
                // that race (the loser hits the catalog's unique index). It exists: go on.
            }
            try connection.executeScript("SET search_path TO \(quoted)")
        }
        return connection
    }

    /// `url` with any password replaced by `***`.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }
}
