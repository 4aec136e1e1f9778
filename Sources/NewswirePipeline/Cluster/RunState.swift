import Foundation
public import Logging
import NewswireCore
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

/// Opens a shared PostgreSQL state store.
enum SharedStateOpener {
    static func open(_ url: String, _ logger: Logger) throws -> any PipelineStateStore {
        throw RunError("this build has no PostgreSQL state store")
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
