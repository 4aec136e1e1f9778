import Foundation
import NewswireCore
import NewswireSink
import Testing

/// What a restarted writer does with the bytes after its last checkpoint.
@Suite struct LineWriterRecoveryTests {
    private func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recovery-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    private func append(_ text: String, to path: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    /// Writes `committed` lines and checkpoints, then `uncommitted` lines that reach the file
    /// but no checkpoint (a crash after the write, before the state commit).
    private func crashedRun(path: String, journal: String, committed: [String], uncommitted: [String]) throws -> String
    {
        let writer = try LineWriter(.file(path), journal: journal)
        try writer.recover(from: nil)
        for line in committed { try writer.write(line: line) }
        let checkpoint = try #require(try writer.checkpoint())
        for line in uncommitted { try writer.write(line: line) }
        try writer.flush()
        return checkpoint
    }

    @Test func cutsOffItsOwnUncommittedLines() throws {
        let folder = try self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("out.ndjson").path
        let journal = folder.appendingPathComponent("state.journal/out.journal").path
        let checkpoint = try self.crashedRun(
            path: path,
            journal: journal,
            committed: ["{\"a\":1}"],
            uncommitted: ["{\"b\":2}"]
        )
        let restarted = try LineWriter(.file(path), journal: journal)
        let note = try restarted.recover(from: checkpoint)
        #expect(note?.contains("removed 8 uncommitted bytes") == true)
        try restarted.write(line: "{\"b\":2}")
        try restarted.flush()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"a\":1}\n{\"b\":2}\n")
    }

    /// A journal written by an earlier version (entries `offset length fnv1a`, no `w`) still
    /// proves the writer's own bytes after an upgrade.
    @Test func readsAnEarlierVersionsJournal() throws {
        let folder = try self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("out.ndjson").path
        let journal = folder.appendingPathComponent("out.journal").path
        let checkpoint = try self.crashedRun(path: path, journal: journal, committed: ["{\"a\":1}"], uncommitted: [])
        let chunk = Array("{\"b\":2}\n".utf8)
        try self.append(String(decoding: chunk, as: UTF8.self), to: path)
        var fnv: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in chunk { fnv = (fnv ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let entry = "8 \(chunk.count) \(String(fnv, radix: 16))\n"
        try (try String(contentsOfFile: journal, encoding: .utf8) + entry).write(
            toFile: journal,
            atomically: false,
            encoding: .utf8
        )
        let note = try LineWriter(.file(path), journal: journal).recover(from: checkpoint)
        #expect(note?.contains("removed 8 uncommitted bytes") == true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"a\":1}\n")
    }

    @Test func keepsAnotherWritersLinesAfterItsOwn() throws {
        let folder = try self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("out.ndjson").path
        let journal = folder.appendingPathComponent("out.journal").path
        let checkpoint = try self.crashedRun(
            path: path,
            journal: journal,
            committed: ["{\"a\":1}"],
            uncommitted: ["{\"b\":2}"]
        )
        try self.append("{\"other\":3}\n", to: path)
        let note = try LineWriter(.file(path), journal: journal).recover(from: checkpoint)
        #expect(note?.contains("followed by another writer") == true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"a\":1}\n{\"b\":2}\n{\"other\":3}\n")
    }

    @Test func keepsLinesOthersAppendedAndStartsANewLineAfterATornOne() throws {
        let folder = try self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("out.ndjson").path
        let journal = folder.appendingPathComponent("out.journal").path
        let checkpoint = try self.crashedRun(path: path, journal: journal, committed: ["{\"a\":1}"], uncommitted: [])
        try self.append("{\"other\":3}\n{\"torn\":", to: path)
        let writer = try LineWriter(.file(path), journal: journal)
        try writer.recover(from: checkpoint)
        try writer.write(line: "{\"c\":4}")
        try writer.flush()
        #expect(
            try String(contentsOfFile: path, encoding: .utf8) == "{\"a\":1}\n{\"other\":3}\n{\"torn\":\n{\"c\":4}\n"
        )
    }

    @Test func refusesAFileWhoseCommittedBytesChanged() throws {
        let folder = try self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("out.ndjson").path
        let journal = folder.appendingPathComponent("out.journal").path
        let checkpoint = try self.crashedRun(path: path, journal: journal, committed: ["{\"a\":1}"], uncommitted: [])
        try Data("{\"z\":9}\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            try LineWriter(.file(path), journal: journal).recover(from: checkpoint)
        } throws: { error in
            "\(error)".contains(path) && "\(error)".contains("not the file this pipeline wrote")
        }
    }

    @Test func aCopiedFileWithTheSameBytesIsAccepted() throws {
        let folder = try self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("out.ndjson").path
        let journal = folder.appendingPathComponent("out.journal").path
        let checkpoint = try self.crashedRun(path: path, journal: journal, committed: ["{\"a\":1}"], uncommitted: [])
        // A copy made while the original exists has another inode; it then takes the name.
        try FileManager.default.copyItem(atPath: path, toPath: path + ".copy")
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: path + ".copy", toPath: path)
        let note = try LineWriter(.file(path), journal: journal).recover(from: checkpoint)
        #expect(note?.contains("moved or copied") == true)
    }

    @Test func devicesAreStreamsWithoutCheckpoints() throws {
        let writer = try LineWriter(.file("/dev/null"), journal: "/tmp/never-used.journal")
        #expect(!writer.isRegularFile)
        try writer.write(line: "{}")
        #expect(try writer.checkpoint() == nil)
        #expect(try writer.recover(from: "ndjson-v1 dev=1 ino=1 size=99 tail=0") == nil)
    }
}
