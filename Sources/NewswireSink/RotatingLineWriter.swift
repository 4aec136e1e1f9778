import Foundation
import NewswireCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Appends lines to a series of files named by an ``OutputPattern`` and closes each one,
/// by size or by time (``RotationPolicy``), with an atomic rename, so consumers only ever
/// see closed, complete files.
///
/// The open file is `.NAME.open` (a ``LineWriter`` with its journal). At ``commit()`` it is
/// flushed and fsynced, and when rotation is due it is *sealed*: the checkpoint that
/// `commit` returns says so, and the file is renamed to `NAME` (then the folder fsynced)
/// only at the next call to this writer, that is, once the engine has stored that
/// checkpoint. A closed file therefore never holds a record the state store does not know
/// was written, and it always ends at a committed record boundary. The next file is opened
/// by the first line written after that.
///
/// ``recover(from:)`` brings the files back to the stored checkpoint after a crash at any
/// point: the open file's uncommitted bytes are cut off (or the file closed, when it was
/// sealed or is due), a file published after the checkpoint is checked, and open files the
/// checkpoint does not know (opened after it) lose the bytes this writer wrote to them. With
/// no checkpoint at all (no state store), files left open are closed as they are.
///
/// The engine must store each checkpoint ``commit()`` returns before it calls the writer
/// again; the engine's sink queue does (one serial queue, commit then store). Confined to
/// that queue; not thread-safe.
public final class RotatingLineWriter {
    public let pattern: OutputPattern
    public let policy: RotationPolicy
    private let clock: any NewswireClock
    private let journalFolder: String?
    private var file: OpenFile?
    /// The newest name this writer (or, before a restart, its predecessor) gave a file.
    private var lastName: String?
    /// Called with the path of each file closed (renamed into place).
    public var onClose: ((String) -> Void)?
    /// Lines written since the writer was made.
    public private(set) var lineCount = 0

    private final class OpenFile {
        let name: String
        let opened: Date
        let writer: LineWriter
        var sealed = false
        /// Lines queued since the last commit.
        var dirty = false

        init(name: String, opened: Date, writer: LineWriter) {
            self.name = name
            self.opened = opened
            self.writer = writer
        }
    }

    /// - Parameters:
    ///   - pattern: The file names (and folder, created when missing).
    ///   - clock: The time files are named for and windows are measured with.
    ///   - journalFolder: Where each open file's ``LineWriter`` journal goes (beside the
    ///     state store: `STATE.journal`); `nil` keeps none, and then nothing written is
    ///     ever cut off after a crash (a possible repeat, never a loss).
    public init(pattern: OutputPattern, policy: RotationPolicy, clock: any NewswireClock, journalFolder: String?) {
        self.pattern = pattern
        self.policy = policy
        self.clock = clock
        self.journalFolder = journalFolder
    }

    /// The name this writer's checkpoint is stored under.
    public var checkpointName: String { "sink.rotate:" + self.pattern.text }

    /// When the open file's time window ends (it is then closed at the next commit); `nil`
    /// with no open file or no `hours` limit. A daemon commits at that time even when idle.
    public var nextRotation: Date? {
        guard let file = self.file, !file.sealed else { return nil }
        return self.policy.windowEnd(opened: file.opened)
    }

    /// The path of the open file, if any (a hidden name).
    public var openFilePath: String? {
        self.file.map { self.pattern.path(of: OutputPattern.openName(of: $0.name)) }
    }

    // MARK: Writing

    /// Queues one line (a newline is added), opening a new file when none is open.
    /// - Throws: ``StageError`` when a file cannot be closed, opened or written.
    public func write(line: [UInt8]) throws {
        try self.publishSealed()
        let file = try self.file ?? self.openNext()
        try file.writer.write(line: line)
        file.dirty = true
        self.lineCount += 1
    }

    /// Queues one line (a newline is added).
    public func write(line: String) throws {
        try self.write(line: Array(line.utf8))
    }

    /// Makes every line written so far durable and returns the checkpoint to store; seals
    /// the open file when rotation is due (it is renamed at the next call).
    /// - Throws: ``StageError`` when a file cannot be synced or closed.
    public func commit() throws -> String {
        try self.publishSealed()
        var saved = Saved(last: self.lastName, open: nil)
        if let file = self.file {
            guard let value = try file.writer.checkpoint() else {
                throw StageError(.internal, "\(file.writer.destination) is no longer a regular file")
            }
            file.dirty = false
            let size = try file.writer.fileSize()
            if size > 0 && self.policy.isDue(size: size, opened: file.opened, now: self.clock.now()) {
                file.sealed = true
            }
            saved.open = SavedFile(
                name: file.name,
                opened: file.opened.timeIntervalSince1970,
                file: value,
                sealed: file.sealed
            )
        }
        return saved.encoded
    }

    /// Closes what can be closed without a new checkpoint, for a clean shutdown: a sealed
    /// file, and the open file when nothing was written since the last commit. Call it only
    /// after the checkpoint of that commit is stored. The next run starts a new file.
    /// - Throws: ``StageError`` when a file cannot be renamed.
    public func close() throws {
        if let file = self.file, !file.dirty {
            try file.writer.flush()
            file.sealed = true
        }
        try self.publishSealed()
        self.file = nil
    }

    private func openNext() throws -> OpenFile {
        let now = self.clock.now()
        var name = self.pattern.fileName(at: now)
        var counter = 0
        if let last = self.lastName, let parsed = self.pattern.parse(last), !Self.precedes(last, name) {
            counter = parsed.counter + 1
            name = self.pattern.fileName(last, withCounter: counter) ?? name
        }
        while Self.exists(self.pattern.path(of: name))
            || Self.exists(self.pattern.path(of: OutputPattern.openName(of: name)))
        {
            counter += 1
            guard let next = self.pattern.fileName(name, withCounter: counter) else { break }
            name = next
        }
        let path = self.pattern.path(of: OutputPattern.openName(of: name))
        let writer = try LineWriter(.file(path), journal: self.journalPath(for: path))
        guard writer.isRegularFile else {
            throw StageError(.internal, "\(path) is not a regular file")
        }
        // A new file: resets any journal left under its name.
        try writer.recover(from: nil)
        // The file's name must survive a machine crash before a checkpoint names it.
        try self.syncFolder()
        let file = OpenFile(name: name, opened: now, writer: writer)
        self.file = file
        self.lastName = name
        return file
    }

    /// Renames a sealed file into place, then syncs the folder so the rename is durable.
    private func publishSealed() throws {
        guard let file = self.file, file.sealed else { return }
        try self.publish(file)
        self.file = nil
    }

    private func publish(_ file: OpenFile) throws {
        let openPath = self.pattern.path(of: OutputPattern.openName(of: file.name))
        let closedPath = self.pattern.path(of: file.name)
        if Self.exists(closedPath) {
            throw StageError(.internal, "cannot close \(openPath): \(closedPath) exists and is not this pipeline's")
        }
        guard rename(openPath, closedPath) == 0 else {
            throw StageError(
                .internal,
                "cannot rename \(openPath) to \(closedPath): \(String(cString: strerror(errno)))"
            )
        }
        try self.syncFolder()
        self.removeJournal(for: openPath)
        self.onClose?(closedPath)
    }

    // MARK: Recovery

    /// Brings the files back to `encoded` (the stored checkpoint), or, with none, closes
    /// files left open as they are.
    /// - Returns: What was done, for the log.
    /// - Throws: ``StageError`` when the checkpoint cannot be read, a file's committed bytes
    ///   changed, or a file cannot be renamed.
    @discardableResult
    public func recover(from encoded: String?) throws -> [String] {
        self.file = nil
        var notes: [String] = []
        let folder = self.pattern.folder
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw StageError(.internal, "cannot create folder \(folder): \(error.localizedDescription)")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw StageError(.internal, "cannot list \(folder): \(error.localizedDescription)")
        }
        var saved: Saved?
        if let encoded {
            guard let decoded = Saved(encoded: encoded) else {
                throw StageError(.internal, "the checkpoint of \(self.pattern) in the state store cannot be read")
            }
            saved = decoded
        }
        self.lastName = saved?.last
        for name in names where self.pattern.parse(name) != nil {
            self.noteUsed(name)
        }
        var leftOpen = names.compactMap { self.pattern.closedName(ofOpen: $0) }.sorted { Self.precedes($0, $1) }
        if let entry = saved?.open {
            leftOpen.removeAll { $0 == entry.name }
            try self.recoverSaved(entry, notes: &notes)
        }
        for name in leftOpen {
            self.noteUsed(name)
            try self.recoverUnknown(name, hasCheckpoint: saved != nil, notes: &notes)
        }
        return notes
    }

    /// The file the stored checkpoint names: still open, published after it, or taken away.
    private func recoverSaved(_ entry: SavedFile, notes: inout [String]) throws {
        self.noteUsed(entry.name)
        let openPath = self.pattern.path(of: OutputPattern.openName(of: entry.name))
        let closedPath = self.pattern.path(of: entry.name)
        if Self.exists(openPath) {
            let writer = try LineWriter(.file(openPath), journal: self.journalPath(for: openPath))
            guard writer.isRegularFile else { throw StageError(.internal, "\(openPath) is not a regular file") }
            if let note = try writer.recover(from: entry.file) { notes.append(note) }
            let size = try writer.fileSize()
            let opened = Date(timeIntervalSince1970: entry.opened)
            let file = OpenFile(name: entry.name, opened: opened, writer: writer)
            self.file = file
            if size == 0 {
                self.file = nil
                unlink(openPath)
                self.removeJournal(for: openPath)
            } else if entry.sealed || self.policy.isDue(size: size, opened: opened, now: self.clock.now()) {
                // Every byte left is committed (or another writer's): the file can close now.
                file.sealed = true
                try self.publishSealed()
                notes.append("closed \(closedPath), left open by the last run")
            } else {
                notes.append("resumed \(openPath)")
            }
        } else if Self.exists(closedPath) {
            // Closed after the stored checkpoint (the next one was lost): check its bytes.
            let writer = try LineWriter(.file(closedPath), journal: self.journalPath(for: openPath))
            if let note = try writer.recover(from: entry.file) { notes.append(note) }
            self.removeJournal(for: openPath)
        } else {
            notes.append("\(closedPath) was closed and has been taken away since")
        }
    }

    /// An open file the stored checkpoint does not name. With a checkpoint, it was opened
    /// after it: the bytes this writer wrote to it are uncommitted and go; with none (no
    /// state), it is closed as it is.
    private func recoverUnknown(_ name: String, hasCheckpoint: Bool, notes: inout [String]) throws {
        let openPath = self.pattern.path(of: OutputPattern.openName(of: name))
        let closedPath = self.pattern.path(of: name)
        let writer = try LineWriter(.file(openPath), journal: self.journalPath(for: openPath))
        guard writer.isRegularFile else { return }
        if hasCheckpoint, let note = try writer.recover(from: LineWriter.emptyFileCheckpoint) {
            notes.append(note)
        }
        if try writer.fileSize() == 0 {
            unlink(openPath)
            self.removeJournal(for: openPath)
            notes.append("removed \(openPath), opened after the last commit")
            return
        }
        try self.publish(OpenFile(name: name, opened: self.clock.now(), writer: writer))
        notes.append("closed \(closedPath), left open by an earlier run, as it was")
    }

    private func noteUsed(_ name: String) {
        if let last = self.lastName, !Self.precedes(last, name) { return }
        self.lastName = name
    }

    // MARK: Files

    private func journalPath(for path: String) -> String? {
        self.journalFolder.map { $0 + "/" + String(Self.fnv1a(path), radix: 16) + ".journal" }
    }

    private func removeJournal(for path: String) {
        if let journal = self.journalPath(for: path) { unlink(journal) }
    }

    private func syncFolder() throws {
        let descriptor = open(self.pattern.folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw StageError(.internal, "cannot open \(self.pattern.folder): \(String(cString: strerror(errno)))")
        }
        defer { Glibc.close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw StageError(.internal, "fsync \(self.pattern.folder): \(String(cString: strerror(errno)))")
        }
    }

    private static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Byte order, the order `ls` and consumers sort names in.
    private static func precedes(_ left: String, _ right: String) -> Bool {
        left.utf8.lexicographicallyPrecedes(right.utf8)
    }

    private static func fnv1a(_ text: String) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return value
    }
}

@available(*, unavailable)
extension RotatingLineWriter: Sendable {}

/// What a checkpoint of a ``RotatingLineWriter`` holds: the newest file name used (so the
/// next name sorts after it) and the open file, if any, with its ``LineWriter`` checkpoint.
private struct Saved: Codable {
    var last: String?
    var open: SavedFile?

    init(last: String?, open: SavedFile?) {
        self.last = last
        self.open = open
    }

    init?(encoded: String) {
        guard encoded.hasPrefix(Self.prefix),
            let saved = try? JSONDecoder().decode(Saved.self, from: Data(encoded.dropFirst(Self.prefix.count).utf8))
        else { return nil }
        self = saved
    }

    var encoded: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return Self.prefix + String(decoding: data, as: UTF8.self)
    }

    private static let prefix = "rotate-v1 "
}

private struct SavedFile: Codable {
    /// The file's closed name.
    var name: String
    /// When it was opened (seconds since 1970), for its time window.
    var opened: Double
    /// Its ``LineWriter`` checkpoint.
    var file: String
    /// Whether it is complete and only waits to be renamed.
    var sealed: Bool
}
