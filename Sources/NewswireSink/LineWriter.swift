import Foundation
import NewswireCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Appends lines to a file, standard output or standard error, and owns the file's
/// durability.
///
/// Lines are buffered. For a regular file, ``flush()`` writes the buffer and calls
/// `fsync(2)`, and ``checkpoint()`` describes what is durable: the file's identity (device,
/// inode), its size, and a hash of its last committed bytes. ``recover(from:)`` uses that on
/// the next start to cut off only bytes this writer wrote after its last checkpoint (it
/// records each chunk it writes in a small journal beside the state first), to refuse a
/// file whose committed bytes changed, and to start a fresh line after a torn last line
/// that someone else left. Standard output, standard error, pipes and devices are written
/// without `fsync` and never truncated.
///
/// Confined to one serial queue (the sink stage's); not thread-safe.
public final class LineWriter {
    /// Where the lines go.
    public enum Destination: Sendable, Hashable, CustomStringConvertible {
        case standardOutput
        case standardError
        case file(String)

        /// `-` means standard output; anything else is a file path.
        public init(path: String) {
            self = path == "-" ? .standardOutput : .file(path)
        }

        public var description: String {
            switch self {
            case .standardOutput: "stdout"
            case .standardError: "stderr"
            case .file(let path): path
            }
        }
    }

    public let destination: Destination
    /// Whether the destination is a regular file (durable, with checkpoints).
    public let isRegularFile: Bool
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let journal: Journal?
    private var buffer: [UInt8] = []
    private let bufferLimit = 256 * 1024
    private var needsNewline = false
    /// Lines written since the writer was opened.
    public private(set) var lineCount = 0

    /// Opens `destination`, creating the file and its folder if needed.
    ///
    /// - Parameter journal: Where to record the chunks written to a regular file before they
    ///   are written (beside the state store), so a restart can tell its own uncommitted
    ///   bytes from another writer's; `nil` keeps no journal (nothing is ever cut off).
    /// - Throws: ``StageError`` (kind `internal`) when the file cannot be opened.
    public init(_ destination: Destination, journal: String? = nil) throws {
        self.destination = destination
        switch destination {
        case .standardOutput, .standardError:
            self.descriptor = destination == .standardOutput ? STDOUT_FILENO : STDERR_FILENO
            self.ownsDescriptor = false
            self.isRegularFile = false
            self.journal = nil
        case .file(let path):
            var existing = stat()
            let exists = stat(path, &existing) == 0
            if !exists { try Self.createParentFolder(of: path) }
            if exists && (existing.st_mode & S_IFMT) == S_IFDIR {
                throw StageError(.internal, "cannot write \(path): it is a directory")
            }
            let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw StageError(.internal, "cannot open \(path): \(String(cString: strerror(errno)))")
            }
            var info = stat()
            let regular = fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
            self.descriptor = descriptor
            self.ownsDescriptor = true
            self.isRegularFile = regular
            self.journal = regular ? try journal.map { try Journal(path: $0, file: path) } : nil
        }
    }

    deinit {
        try? self.writeBuffer()
        if self.ownsDescriptor { close(self.descriptor) }
    }

    /// Queues one line (a newline is added).
    public func write(line: [UInt8]) throws {
        self.buffer.append(contentsOf: line)
        self.buffer.append(UInt8(ascii: "\n"))
        self.lineCount += 1
        if self.buffer.count >= self.bufferLimit {
            try self.writeBuffer()
        }
    }

    /// Queues one line (a newline is added).
    public func write(line: String) throws {
        try self.write(line: Array(line.utf8))
    }

    /// Writes what is buffered and makes it durable (`fsync` for regular files).
    public func flush() throws {
        try self.writeBuffer()
        if self.isRegularFile, fsync(self.descriptor) != 0 {
            throw StageError(.internal, "fsync \(self.destination): \(String(cString: strerror(errno)))")
        }
    }

    // MARK: Checkpoints

    /// Flushes, then describes the durable state of a regular file; `nil` for streams and devices.
    /// - Throws: What flushing throws.
    public func checkpoint() throws -> String? {
        try self.flush()
        guard self.isRegularFile else { return nil }
        let checkpoint = try self.currentCheckpoint()
        self.journal?.committed()
        return checkpoint.encoded
    }

    /// Brings a regular file back to `checkpoint` before anything is written: bytes after
    /// it that the journal proves this writer wrote are cut off; anything else is kept.
    /// A file whose committed bytes changed is refused. A torn last line gets a newline
    /// before the first new record.
    /// - Returns: What was done, for the log (`nil` when nothing was).
    /// - Throws: ``StageError`` (kind `internal`) naming the file and what changed.
    @discardableResult
    public func recover(from encoded: String?) throws -> String? {
        guard self.isRegularFile, case .file(let path) = self.destination else { return nil }
        var note: String?
        let current = try self.currentCheckpoint()
        var end = current.size
        if let encoded {
            guard let committed = Checkpoint(encoded: encoded) else {
                throw StageError(.internal, "the checkpoint of \(path) in the state store cannot be read: '\(encoded)'")
            }
            if current.size < committed.size {
                throw StageError(
                    .internal,
                    "\(path) holds \(current.size) bytes, fewer than the \(committed.size) this pipeline committed: "
                        + "it was truncated or replaced since the last run; move it aside or use a new state file"
                )
            }
            let tail = try self.tailHash(endingAt: committed.size)
            if tail != committed.tailHash {
                throw StageError(
                    .internal,
                    "\(path) is not the file this pipeline wrote: its bytes before offset \(committed.size) changed "
                        + "since the last commit; move it aside or use a new state file"
                )
            }
            if current.device != committed.device || current.inode != committed.inode {
                note = "\(path) was moved or copied; its committed bytes match"
            }
            let ours =
                self.journal?.ownedEnd(from: committed.size, fileSize: current.size, hash: self.hash) ?? committed.size
            if ours == current.size && ours > committed.size {
                guard ftruncate(self.descriptor, off_t(committed.size)) == 0 else {
                    throw StageError(.internal, "cannot truncate \(path): \(String(cString: strerror(errno)))")
                }
                note = "removed \(current.size - committed.size) uncommitted bytes this pipeline wrote to \(path)"
                end = committed.size
            } else if ours > committed.size {
                note =
                    "\(path): \(ours - committed.size) uncommitted bytes of this pipeline are followed by another "
                    + "writer's; both kept, so their records may appear twice"
            } else if current.size > committed.size {
                note = "\(path): \(current.size - committed.size) bytes appended by another writer kept"
            }
        }
        self.journal?.reset()
        if end > 0, try self.lastByte(before: end) != UInt8(ascii: "\n") {
            self.needsNewline = true
            note = (note.map { $0 + "; " } ?? "") + "\(path) ends in a torn line; new records start on a new line"
        }
        return note
    }

    /// The checkpoint of an empty file: recovering from it cuts off every byte the journal
    /// proves this writer wrote (a file created after the last stored checkpoint).
    static let emptyFileCheckpoint = Checkpoint(device: 0, inode: 0, size: 0, tailHash: 0xcbf2_9ce4_8422_2325).encoded

    /// The file's current size in bytes (what is written, not what is buffered).
    func fileSize() throws -> Int {
        var info = stat()
        guard fstat(self.descriptor, &info) == 0 else {
            throw StageError(.internal, "stat \(self.destination): \(String(cString: strerror(errno)))")
        }
        return Int(info.st_size)
    }

    private struct Checkpoint {
        var device: UInt64
        var inode: UInt64
        var size: Int
        var tailHash: UInt64

        var encoded: String {
            "ndjson-v1 dev=\(self.device) ino=\(self.inode) size=\(self.size) tail=\(String(self.tailHash, radix: 16))"
        }

        init(device: UInt64, inode: UInt64, size: Int, tailHash: UInt64) {
            self.device = device
            self.inode = inode
            self.size = size
            self.tailHash = tailHash
        }

        init?(encoded: String) {
            let fields = encoded.split(separator: " ")
            guard fields.first == "ndjson-v1" else { return nil }
            var values: [Substring: Substring] = [:]
            for field in fields.dropFirst() {
                let pair = field.split(separator: "=", maxSplits: 1)
                if pair.count == 2 { values[pair[0]] = pair[1] }
            }
            guard let device = values["dev"].flatMap({ UInt64($0) }), let inode = values["ino"].flatMap({ UInt64($0) }),
                let size = values["size"].flatMap({ Int($0) }),
                let tail = values["tail"].flatMap({ UInt64($0, radix: 16) })
            else { return nil }
            self.init(device: device, inode: inode, size: size, tailHash: tail)
        }
    }

    private func currentCheckpoint() throws -> Checkpoint {
        var info = stat()
        guard fstat(self.descriptor, &info) == 0 else {
            throw StageError(.internal, "stat \(self.destination): \(String(cString: strerror(errno)))")
        }
        let size = Int(info.st_size)
        return Checkpoint(
            device: UInt64(info.st_dev),
            inode: UInt64(info.st_ino),
            size: size,
            tailHash: try self.tailHash(endingAt: size)
        )
    }

    /// FNV-1a of the (up to) 4,096 bytes before `end`.
    private func tailHash(endingAt end: Int) throws -> UInt64 {
        let start = max(0, end - 4096)
        return self.hash(try self.read(from: start, count: end - start))
    }

    private func lastByte(before end: Int) throws -> UInt8? {
        try self.read(from: end - 1, count: 1).first
    }

    /// Reads bytes of the file through a second, read-only descriptor (the writer's is write-only).
    private func read(from offset: Int, count: Int) throws -> [UInt8] {
        guard count > 0, case .file(let path) = self.destination else { return [] }
        let reader = open(path, O_RDONLY | O_CLOEXEC)
        guard reader >= 0 else {
            throw StageError(.internal, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(reader) }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes {
                pread(reader, $0.baseAddress! + done, count - done, off_t(offset + done))
            }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            done += got
        }
        return Array(bytes[..<done])
    }

    private func hash(_ bytes: [UInt8]) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return value
    }

    /// The journal's hash of a written chunk, eight bytes a step: every byte of the output
    /// passes through it on the sink's one thread, where the byte-wise FNV-1a of ``hash(_:)``
    /// (kept for checkpoints, which the state stores) cost as much as writing the bytes.
    static func chunkHash(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { raw in
            var value: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(raw.count)
            var index = 0
            while index + 8 <= raw.count {
                value = (value ^ raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
                value ^= value >> 32
                index += 8
            }
            while index < raw.count {
                value = (value ^ UInt64(raw[index])) &* 0x9E37_79B9_7F4A_7C15
                value ^= value >> 32
                index += 1
            }
            return value
        }
    }

    // MARK: Writing

    private func writeBuffer() throws {
        if self.needsNewline && !self.buffer.isEmpty {
            self.buffer.insert(UInt8(ascii: "\n"), at: 0)
            self.needsNewline = false
        }
        guard !self.buffer.isEmpty else { return }
        if let journal = self.journal {
            var info = stat()
            if fstat(self.descriptor, &info) == 0 {
                journal.record(offset: Int(info.st_size), length: self.buffer.count, hash: Self.chunkHash(self.buffer))
            }
        }
        var offset = 0
        while offset < self.buffer.count {
            let written = self.buffer.withUnsafeBytes { bytes in
                Glibc.write(self.descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw StageError(.internal, "write \(self.destination): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        self.buffer.removeAll(keepingCapacity: true)
    }

    private static func createParentFolder(of path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw StageError(.internal, "cannot create folder \(folder.path): \(error.localizedDescription)")
        }
    }
}

@available(*, unavailable)
extension LineWriter: Sendable {}

/// The chunks a ``LineWriter`` wrote to its file since the last checkpoint but one: one text
/// line each (`offset length hash w`: ``LineWriter/chunkHash(_:)``; lines without the `w`,
/// from earlier versions, hold the FNV-1a of the bytes), written before the chunk itself so that after a crash
/// the writer can prove which bytes past its checkpoint are its own. Not synced: after a
/// machine crash it may miss entries, and then the bytes are kept (a possible repeat, never
/// a loss).
private final class Journal {
    private let descriptor: Int32
    /// Entries since the last checkpoint, and since the one before (still needed until the
    /// state store has stored the newer checkpoint).
    private var current: [String] = []
    private var previous: [String] = []
    private let path: String
    /// The file whose chunks are journaled.
    private let file: String

    init(path: String, file: String) throws {
        self.path = path
        self.file = file
        try? FileManager.default.createDirectory(
            at: URL(fileURLWithPath: path).deletingLastPathComponent(),
            withIntermediateDirectories: true
        )
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StageError(.internal, "cannot open the sink journal \(path): \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
    }

    deinit { close(self.descriptor) }

    func record(offset: Int, length: Int, hash: UInt64) {
        let entry = "\(offset) \(length) \(String(hash, radix: 16)) w\n"
        self.current.append(entry)
        var info = stat()
        guard fstat(self.descriptor, &info) == 0 else { return }
        let bytes = Array(entry.utf8)
        _ = bytes.withUnsafeBytes { pwrite(self.descriptor, $0.baseAddress, $0.count, off_t(info.st_size)) }
    }

    /// A checkpoint was taken: entries older than the previous one are no longer needed.
    func committed() {
        self.previous = self.current
        self.current = []
        self.rewrite(self.previous)
    }

    /// Forgets every entry (after recovery).
    func reset() {
        self.previous = []
        self.current = []
        self.rewrite([])
    }

    private func rewrite(_ entries: [String]) {
        _ = ftruncate(self.descriptor, 0)
        let bytes = Array(entries.joined().utf8)
        guard !bytes.isEmpty else { return }
        _ = bytes.withUnsafeBytes { pwrite(self.descriptor, $0.baseAddress, $0.count, 0) }
    }

    /// How far past `start` the file holds chunks this writer recorded, chained from `start`;
    /// a last chunk cut short by the end of the file counts as the writer's own.
    func ownedEnd(from start: Int, fileSize: Int, hash: ([UInt8]) -> UInt64) -> Int {
        guard let data = FileManager.default.contents(atPath: self.path) else { return start }
        var entries: [Int: (length: Int, hash: UInt64, words: Bool)] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 3 || (fields.count == 4 && fields[3] == "w"), let offset = Int(fields[0]),
                let length = Int(fields[1]), let value = UInt64(fields[2], radix: 16)
            else { continue }
            entries[offset] = (length, value, fields.count == 4)
        }
        guard let handle = FileHandle(forReadingAtPath: self.file) else { return start }
        defer { try? handle.close() }
        var cursor = start
        while let entry = entries[cursor], cursor < fileSize {
            if cursor + entry.length > fileSize {
                // A chunk cut short by a crash: the file ends inside it.
                return fileSize
            }
            guard (try? handle.seek(toOffset: UInt64(cursor))) != nil,
                let bytes = try? handle.read(upToCount: entry.length), bytes.count == entry.length,
                (entry.words ? LineWriter.chunkHash([UInt8](bytes)) : hash([UInt8](bytes))) == entry.hash
            else { break }
            cursor += entry.length
        }
        return cursor
    }
}
