import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The exclusive hold a run takes on its state store, so that two runs of one pipeline (a
/// cron overlap) cannot both emit everything.
///
/// An advisory `flock(2)` on `STATE.lock` beside the state file, holding the owner's
/// process id. The kernel releases it when the process ends, even by SIGKILL, so a crash
/// never leaves a stale lock. Commands that only read the state do not take it.
public final class StateLock: Sendable {
    /// The lock file.
    public let path: String
    private let descriptor: Int32

    /// Takes the lock for the state store at `statePath`.
    /// - Throws: ``StateLockError`` when another process holds it (naming its pid) or the
    ///   lock file cannot be opened.
    public init(statePath: String) throws {
        let path = statePath + ".lock"
        self.path = path
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StateLockError(
                message: "cannot open the lock file \(path): \(String(cString: strerror(errno)))",
                holder: nil
            )
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.readPID(descriptor)
            close(descriptor)
            let who = holder.map { "another newswire (pid \($0))" } ?? "another newswire"
            throw StateLockError(message: "\(who) is using \(statePath)", holder: holder)
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        self.descriptor = descriptor
    }

    deinit {
        _ = ftruncate(self.descriptor, 0)
        flock(self.descriptor, LOCK_UN)
        close(self.descriptor)
    }

    private static func readPID(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// A state store that another run holds, or whose lock cannot be taken.
public struct StateLockError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// The process id of the run that holds the lock, when known.
    public var holder: Int32?

    public var description: String { self.message }
}
