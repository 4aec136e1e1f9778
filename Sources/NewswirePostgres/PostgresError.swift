/// A failure of the PostgreSQL state store, with the server's SQLSTATE and message kept.
public struct PostgresError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable { case connect, migrate, read, write, unavailable }
        private let kind: Kind
        /// The server could not be reached or refused the connection (bad URL, authentication).
        public static let connect = Code(kind: .connect)
        /// A schema migration failed (or the database is from a newer version).
        public static let migrate = Code(kind: .migrate)
        /// A query failed.
        public static let read = Code(kind: .read)
        /// A write or its transaction failed; nothing of it was stored.
        public static let write = Code(kind: .write)
        /// The connection was lost and could not be restored within the retry policy's time.
        public static let unavailable = Code(kind: .unavailable)
        public var description: String { self.kind.rawValue }
    }

    /// What failed.
    public var code: Code
    /// The database, as its URL without the password.
    public var database: String
    /// libpq's or the server's message.
    public var message: String
    /// The five-character SQLSTATE (https://www.postgresql.org/docs/15/errcodes-appendix.html),
    /// when the server sent one.
    public var sqlState: String?

    public init(_ code: Code, database: String, message: String, sqlState: String? = nil) {
        self.code = code
        self.database = database
        self.message = message
        self.sqlState = sqlState
    }

    public var description: String {
        let state = self.sqlState.map { " [\($0)]" } ?? ""
        return "postgres \(self.code)\(state): \(self.message) (\(self.database))"
    }
}

/// Why a statement failed, as the connection saw it: decides whether a retry can help.
enum PostgresFailure: Error {
    /// The connection is gone (server restart, killed backend, network): reconnect and run
    /// the whole unit again.
    case connectionLost(message: String, sqlState: String?)
    /// The server refused the statement (constraint, syntax, type): retrying cannot help.
    case statement(message: String, sqlState: String?)
    /// A serialization failure or deadlock: run the whole transaction again on the same connection.
    case conflict(message: String, sqlState: String?)

    var message: String {
        switch self {
        case .connectionLost(let message, _), .statement(let message, _), .conflict(let message, _): message
        }
    }

    var sqlState: String? {
        switch self {
        case .connectionLost(_, let state), .statement(_, let state), .conflict(_, let state): state
        }
    }

    /// Classifies a failed statement by SQLSTATE (class 08 connection exception; 57P01–57P03
    /// shutdown and start-up; 40001 serialization failure, 40P01 deadlock) and by whether
    /// libpq still considers the connection usable.
    static func classify(message: String, sqlState: String?, connectionBroken: Bool) -> PostgresFailure {
        if connectionBroken { return .connectionLost(message: message, sqlState: sqlState) }
        guard let sqlState else { return .statement(message: message, sqlState: nil) }
        if sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState) {
            return .connectionLost(message: message, sqlState: sqlState)
        }
        if sqlState == "40001" || sqlState == "40P01" { return .conflict(message: message, sqlState: sqlState) }
        return .statement(message: message, sqlState: sqlState)
    }
}
