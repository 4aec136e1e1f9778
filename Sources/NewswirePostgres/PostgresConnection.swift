internal import CLibPQ
import Synchronization

import struct Foundation.CharacterSet
import func Foundation.free
import func Foundation.strdup

/// One libpq connection (`PGconn`).
///
/// Not thread-safe: libpq allows one thread at a time per connection
/// (https://www.postgresql.org/docs/15/libpq-threading.html); ``PostgresDatabase`` keeps it
/// behind its lock. Every call is one round trip to the server, counted in `roundTrips`.
final class PostgresConnection {
    private let handle: OpaquePointer
    private let roundTrips: RoundTripCounter

    /// Connects to `url` (a `postgresql://` URI or a `key=value` string, as libpq reads it).
    /// - Throws: ``PostgresFailure/connectionLost(message:sqlState:)`` when the server cannot be
    ///   reached (the caller decides whether to retry).
    init(url: String, roundTrips: RoundTripCounter) throws(PostgresFailure) {
        // The URL comes last so that its own settings win over these defaults (libpq-connect:
        // with expand_dbname, "later values override earlier ones").
        let keywords = ["connect_timeout", "application_name", "dbname"]
        let values = ["10", "newswire", url]
        let connection = keywords.withCStrings { keywordPointers in
            values.withCStrings { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw .connectionLost(message: "libpq could not allocate a connection", sqlState: nil)
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.message(PQerrorMessage(connection))
            PQfinish(connection)
            throw .connectionLost(message: message, sqlState: nil)
        }
        // Notices ("relation already exists, skipping") would go to stderr, which is the
        // CLI's log stream: drop them.
        PQsetNoticeProcessor(connection, ignoreNotice, nil)
        self.handle = connection
        self.roundTrips = roundTrips
    }

    deinit {
        PQfinish(self.handle)
    }

    /// Whether libpq considers the connection usable.
    var isConnected: Bool { PQstatus(self.handle) == CONNECTION_OK }

    /// The server's version number (150018 for 15.18).
    var serverVersion: Int { Int(PQserverVersion(self.handle)) }

    /// Runs one statement with `parameters` (`$1`, `$2`…) and returns its rows in text format.
    /// - Throws: ``PostgresFailure``, classified for retries.
    @discardableResult
    func execute(_ sql: String, _ parameters: [PostgresValue] = []) throws(PostgresFailure) -> PostgresRows {
        // One buffer holds every parameter (text ones NUL-terminated); pointers into it are
        // valid while it is borrowed below.
        var buffer: [UInt8] = []
        var offsets: [Int?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        for parameter in parameters {
            switch parameter {
            case .null:
                offsets.append(nil)
                lengths.append(0)
                formats.append(0)
            case .text(let text):
                offsets.append(buffer.count)
                buffer.append(contentsOf: text.utf8)
                buffer.append(0)
                lengths.append(0)
                formats.append(0)
            case .binary(let bytes):
                offsets.append(buffer.count)
                buffer.append(contentsOf: bytes)
                lengths.append(Int32(bytes.count))
                formats.append(1)
            }
        }
        self.roundTrips.add()
        let result = buffer.withUnsafeBufferPointer { bytes in
            let base = bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
                offset.flatMap { base?.advanced(by: $0) }
            }
            return PQexecParams(
                self.handle,
                sql,
                Int32(parameters.count),
                nil,
                pointers,
                lengths,
                formats,
                0
            )
        }
        return try self.rows(of: result)
    }

    /// Runs `sql`, which may hold several statements separated by semicolons and no
    /// parameters (`BEGIN; SELECT …`), in one round trip; returns the last statement's rows.
    /// - Throws: ``PostgresFailure``, classified for retries.
    @discardableResult
    func executeScript(_ sql: String) throws(PostgresFailure) -> PostgresRows {
        self.roundTrips.add()
        return try self.rows(of: PQexec(self.handle, sql))
    }

    private func rows(of result: OpaquePointer?) throws(PostgresFailure) -> PostgresRows {
        defer { PQclear(result) }
        let result = try self.check(result)
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var rows: [[String?]] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(result, row, column) != 0 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, row, column)))
                }
            }
            rows.append(values)
        }
        let affected = PQcmdTuples(result).map { Int(String(cString: $0)) ?? 0 } ?? 0
        return PostgresRows(rows: rows, affected: affected)
    }

    /// Ends the transaction with `COMMIT`.
    /// - Throws: ``PostgresFailure``, also when the server answers with the tag `ROLLBACK`
    ///   (the transaction had failed earlier), which libpq does not count as an error.
    func commit() throws(PostgresFailure) {
        self.roundTrips.add()
        let result = PQexec(self.handle, "COMMIT")
        defer { PQclear(result) }
        let tag = PQcmdStatus(try self.check(result)).map { String(cString: $0) } ?? ""
        guard tag == "COMMIT" else {
            throw .statement(message: "the transaction was rolled back (\(tag))", sqlState: nil)
        }
    }

    /// `result` if its statement succeeded; otherwise the failure, with the server's SQLSTATE
    /// and message, classified for retries.
    private func check(_ result: OpaquePointer?) throws(PostgresFailure) -> OpaquePointer {
        guard let result else {
            // No result at all: out of memory, or the connection is gone (libpq-exec).
            throw PostgresFailure.classify(
                message: Self.message(PQerrorMessage(self.handle)),
                sqlState: nil,
                connectionBroken: !self.isConnected
            )
        }
        let status = PQresultStatus(result)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
            // PG_DIAG_SQLSTATE is the character 'C' (postgres_ext.h).
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            var message = Self.message(PQresultErrorMessage(result))
            if message.isEmpty { message = Self.message(PQerrorMessage(self.handle)) }
            throw PostgresFailure.classify(message: message, sqlState: state, connectionBroken: !self.isConnected)
        }
        return result
    }

    private static func message(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "" }
        return String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

@available(*, unavailable) extension PostgresConnection: Sendable {}

/// Counts round trips to the server (statements sent), across reconnections.
final class RoundTripCounter: Sendable {
    private let count = Atomic<Int>(0)

    func add() { self.count.add(1, ordering: .relaxed) }

    var value: Int { self.count.load(ordering: .relaxed) }
}

private let ignoreNotice: PQnoticeProcessor = { _, _ in }

extension Array where Element == String {
    /// Calls `body` with the strings as a NULL-terminated array of C strings.
    fileprivate func withCStrings<Result>(_ body: (UnsafePointer<UnsafePointer<CChar>?>) -> Result) -> Result {
        let copies = self.map { strdup($0) }
        defer { for copy in copies { free(copy) } }
        let pointers = copies.map { UnsafePointer($0) } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
