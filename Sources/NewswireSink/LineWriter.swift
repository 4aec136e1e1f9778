import Foundation
import NewswireCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Appends lines to a file or standard output, durably on request.
///
/// Lines are buffered; ``flush()`` writes the buffer and, for a file, calls `fsync(2)` so the
/// lines survive a crash of the process or the machine. A file is opened for appending and
/// never truncated, so a restarted crawl adds to what an earlier one wrote.
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
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var buffer: [UInt8] = []
    private let bufferLimit = 256 * 1024
    /// Lines written since the writer was opened.
    public private(set) var lineCount = 0

    /// Opens `destination`, creating the file and its folder if needed.
    ///
    /// - Throws: ``StageError`` (`sink`-stage, kind `internal`) when the file cannot be opened.
    public init(_ destination: Destination) throws {
        self.destination = destination
        switch destination {
        case .standardOutput:
            self.descriptor = STDOUT_FILENO
            self.ownsDescriptor = false
        case .standardError:
            self.descriptor = STDERR_FILENO
            self.ownsDescriptor = false
        case .file(let path):
            try Self.createParentFolder(of: path)
            let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw StageError(.internal, "cannot open \(path): \(String(cString: strerror(errno)))")
            }
            self.descriptor = descriptor
            self.ownsDescriptor = true
        }
    }

    deinit {
        try? self.flush()
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

    /// Writes what is buffered and makes it durable (`fsync` for files).
    public func flush() throws {
        try self.writeBuffer()
        if case .file(let path) = self.destination, fsync(self.descriptor) != 0 {
            throw StageError(.internal, "fsync \(path): \(String(cString: strerror(errno)))")
        }
    }

    private func writeBuffer() throws {
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
