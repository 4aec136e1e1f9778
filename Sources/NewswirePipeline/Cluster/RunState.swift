import Foundation
public import Logging
import NewswireCore
import NewswirePostgres
public import NewswireState

/// The state store a run opens, by the pipeline's `state:`: a SQLite file, locked for the
/// run, or a PostgreSQL database that several workers share (no lock: leases and the
/// database's own constraints keep the workers apart).
struct RunState {
    let store: any PipelineStateStore
    /// The SQLite file's lock, held for the run.
    let lock: StateLock?
    /// Where the NDJSON journals live (beside a SQLite file; none for a database).
    let journalFolder: String?

    /// The store's outbox, for a broker output.
    var outbox: (any OutboxStore)? { self.store as? any OutboxStore }

    /// The store as several workers share it, when it is.
    var shared: (any LeaseStore & PipelineStateStore)? { self.store as? any LeaseStore & PipelineStateStore }

    /// Opens what `configuration.state` names, or `nil` when it names nothing.
    /// - Throws: ``RunError`` when the store is held by another run or cannot be opened.
    static func open(_ configuration: PipelineConfiguration, logger: Logger) throws -> RunState? {
        if let problem = configuration.backendProblem { throw RunError(problem) }
        guard let path = configuration.state else { return nil }
        do {
            if let url = configuration.sharedState {
                return RunState(store: try SharedStateOpener.open(url, logger), lock: nil, journalFolder: nil)
            }
            let lock = try StateLock(statePath: path)
            return RunState(store: try StateStore(path: path), lock: lock, journalFolder: path + ".journal")
        } catch let error as RunError {
            throw error
        } catch {
            throw RunError("\(error)")
        }
    }
}

/// Opens a shared PostgreSQL state store. A `schema` parameter in the URL
/// (`postgresql://…/newswire?schema=newsroom`) keeps the pipeline's tables in that schema,
/// so several pipelines can share one database; the other parameters are libpq's.
enum SharedStateOpener {
    static func open(_ url: String, _ logger: Logger) throws -> any PipelineStateStore {
        let (location, schema) = Self.split(url)
        return try PostgresStateStore(url: location, schema: schema, logger: logger)
    }

    /// The URL without its `schema` parameter, and the schema.
    static func split(_ url: String) -> (url: String, schema: String?) {
        guard var components = URLComponents(string: url),
            let item = components.queryItems?.first(where: { $0.name == "schema" })
        else { return (url, nil) }
        components.queryItems = components.queryItems?.filter { $0.name != "schema" }
        if components.queryItems?.isEmpty == true { components.queryItems = nil }
        return (components.string ?? url, item.value.flatMap { $0.isEmpty ? nil : $0 })
    }
}

/// Opening a state store to read it (`newswire status`), without the run's lock.
public enum StateReader {
    /// The store at `location`: a SQLite file path or a postgresql:// URL.
    /// - Throws: What opening the store throws.
    public static func open(_ location: String, logger: Logger) throws -> any PipelineStateStore {
        if location.hasPrefix("postgresql://") || location.hasPrefix("postgres://") {
            return try SharedStateOpener.open(location, logger)
        }
        return try StateStore(path: location)
    }

    /// Whether `location` names a database rather than a file.
    public static func isDatabase(_ location: String) -> Bool { location.contains("://") }
}
