import Foundation
import NewswireCore
import NewswireSink
import Testing

/// A stand-in for the engine around a ``RotatingLineWriter``: it writes numbered lines,
/// commits, stores each checkpoint with how many lines it covers, and can crash (drop the
/// writer, whose buffered lines then reach the file uncommitted) and restart from what it
/// stored, delivering again every line after the stored position.
private final class Run {
    let folder: URL
    let pattern: OutputPattern
    let policy: RotationPolicy
    let clock: ManualClock
    let journal: String
    var writer: RotatingLineWriter?
    var stored: String?
    var storedThrough = 0
    var next = 0
    var closed: [String] = []
    /// No state store: checkpoints are never stored.
    var stateless = false

    init(policy: RotationPolicy, start: Date = Date(timeIntervalSince1970: 1_796_303_405)) throws {
        self.folder = FileManager.default.temporaryDirectory.appendingPathComponent("rotate-\(UUID().uuidString)")
        self.pattern = try OutputPattern(self.folder.appendingPathComponent("out/articles-%Y%m%dT%H%M%S.ndjson").path)
        self.policy = policy
        self.clock = ManualClock(start)
        self.journal = self.folder.appendingPathComponent("state.journal").path
    }

    deinit { try? FileManager.default.removeItem(at: self.folder) }

    /// Starts (or restarts) from the stored checkpoint; `storeBaseline: false` is a crash
    /// right after recovery, before the engine stores its first checkpoint.
    @discardableResult
    func start(storeBaseline: Bool = true) throws -> [String] {
        let writer = RotatingLineWriter(
            pattern: self.pattern,
            policy: self.policy,
            clock: self.clock,
            journalFolder: self.journal
        )
        writer.onClose = { [unowned self] in self.closed.append($0) }
        self.writer = writer
        self.next = self.storedThrough
        let notes = try writer.recover(from: self.stored)
        // As the engine does: a first checkpoint right after recovery.
        if !self.stateless && storeBaseline { self.stored = try writer.commit() }
        return notes
    }

    func write(_ count: Int) throws {
        let writer = try #require(self.writer)
        for _ in 0..<count {
            try writer.write(line: Self.line(self.next))
            self.next += 1
        }
    }

    /// Commits; `store: false` is a crash between the sink's commit and the state store's.
    @discardableResult
    func commit(store: Bool = true) throws -> String {
        let checkpoint = try #require(self.writer).commit()
        if store {
            self.stored = checkpoint
            self.storedThrough = self.next
        }
        return checkpoint
    }

    func crash() { self.writer = nil }

    static func line(_ number: Int) -> String { #"{"n":\#(number),"pad":"\#(String(repeating: "x", count: 20))"}"# }

    var outFolder: String { self.pattern.folder }

    func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: self.outFolder).sorted {
            $0.utf8.lexicographicallyPrecedes($1.utf8)
        }
    }

    /// What consumers see: the closed files, in name order.
    func closedNames() throws -> [String] { try self.names().filter { !$0.hasPrefix(".") } }

    func openNames() throws -> [String] { try self.names().filter { $0.hasPrefix(".") && $0.hasSuffix(".open") } }

    func text(_ name: String) throws -> String {
        try String(contentsOfFile: self.outFolder + "/" + name, encoding: .utf8)
    }

    /// Every line of the closed files (in name order), then of the open files.
    func union() throws -> [String] {
        try (self.closedNames() + self.openNames()).flatMap {
            try self.text($0).split(separator: "\n").map(String.init)
        }
    }

    func expectExactlyOnce(through count: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try self.union() == (0..<count).map(Self.line), sourceLocation: sourceLocation)
    }

    /// Closed files are complete: each ends a line, and each line is a whole record.
    func expectClosedFilesComplete(sourceLocation: SourceLocation = #_sourceLocation) throws {
        for name in try self.closedNames() {
            let text = try self.text(name)
            #expect(text.hasSuffix("\n"), "\(name) ends inside a line", sourceLocation: sourceLocation)
            for line in text.split(separator: "\n") {
                #expect(line.hasPrefix("{\"n\":") && line.hasSuffix("\"}"), sourceLocation: sourceLocation)
            }
        }
    }
}

@Suite struct RotatingLineWriterTests {
    private static let lineBytes = Run.line(0).utf8.count + 1

    @Test func rotatesBySizeAtCommittedRecordBoundaries() throws {
        let run = try Run(policy: RotationPolicy(bytes: 3 * Self.lineBytes, hours: nil))
        try run.start()
        for _ in 0..<5 {
            try run.write(2)
            try run.commit()
        }
        try run.write(1)
        try run.commit()
        // 11 lines, committed two at a time: files close at the commit that reaches 3 lines.
        let closed = try run.closedNames()
        #expect(closed.count == 2)
        for name in closed {
            #expect(try run.text(name).split(separator: "\n").count == 4)
        }
        try run.expectExactlyOnce(through: 11)
        try run.expectClosedFilesComplete()
        // The third file is sealed; the next call renames it.
        #expect(try run.openNames().count == 1)
        try run.write(1)
        #expect(try run.closedNames().count == 3)
        #expect(run.closed.count == 3)
    }

    @Test func rotatesWhenTheHourWindowEnds() throws {
        // 2026-12-03T13:10:05Z.
        let run = try Run(policy: RotationPolicy(bytes: nil, hours: 1))
        try run.start()
        try run.write(1)
        try run.commit()
        #expect(run.writer?.nextRotation == Date(timeIntervalSince1970: 1_796_306_400))
        run.clock.advance(by: 49 * 60 + 54)  // 13:59:59
        try run.write(1)
        try run.commit()
        #expect(try run.closedNames().isEmpty)
        run.clock.advance(by: 1)  // 14:00:00
        try run.commit()
        #expect(try run.closedNames().isEmpty, "renamed before its checkpoint was stored")
        #expect(run.writer?.nextRotation == nil)
        run.clock.advance(by: 30)
        try run.write(1)
        #expect(try run.closedNames() == ["articles-20261203T131005.ndjson"])
        #expect(try run.openNames() == [".articles-20261203T140030.ndjson.open"])
        #expect(try run.text("articles-20261203T131005.ndjson") == Run.line(0) + "\n" + Run.line(1) + "\n")
    }

    @Test func anIdleCommitClosesTheFileOnTime() throws {
        let run = try Run(policy: RotationPolicy(bytes: nil, hours: 0.25))
        try run.start()
        try run.write(3)
        try run.commit()
        run.clock.advance(by: 15 * 60)
        try run.commit()
        try run.commit()
        #expect(try run.closedNames().count == 1)
        #expect(try run.openNames().isEmpty, "no empty file is opened without a record")
    }

    @Test func namesInTheSameSecondAreUniqueAndSortInOrder() throws {
        let run = try Run(policy: RotationPolicy(bytes: 1, hours: nil))
        try run.start()
        for _ in 0..<12 {
            try run.write(1)
            try run.commit()
        }
        try #require(run.writer).close()
        let closed = try run.closedNames()
        #expect(closed.count == 12)
        #expect(closed[0] == "articles-20261203T131005.ndjson")
        #expect(closed[1] == "articles-20261203T131005_0001.ndjson")
        #expect(closed[11] == "articles-20261203T131005_0011.ndjson")
        // Name order is write order.
        try run.expectExactlyOnce(through: 12)
        for (index, name) in closed.enumerated() {
            #expect(try run.text(name) == Run.line(index) + "\n")
        }
    }

    @Test func aClockThatGoesBackStillGivesLaterNames() throws {
        let run = try Run(policy: RotationPolicy(bytes: 1, hours: nil))
        try run.start()
        try run.write(1)
        try run.commit()
        run.clock.advance(by: -3600)
        try run.write(1)
        try run.commit()
        try run.write(1)
        #expect(try run.closedNames() == ["articles-20261203T131005.ndjson", "articles-20261203T131005_0001.ndjson"])
    }

    @Test func namesStaySortedAcrossARestart() throws {
        let run = try Run(policy: RotationPolicy(bytes: 1, hours: nil))
        try run.start()
        try run.write(1)
        try run.commit()
        try run.write(1)
        try run.commit()
        try #require(run.writer).close()
        try run.start()
        try run.write(1)
        try run.commit()
        try #require(run.writer).close()
        #expect(
            try run.closedNames() == [
                "articles-20261203T131005.ndjson", "articles-20261203T131005_0001.ndjson",
                "articles-20261203T131005_0002.ndjson",
            ]
        )
        try run.expectExactlyOnce(through: 3)
    }

    @Test func aConsumerNeverSeesAPartialFile() throws {
        let run = try Run(policy: RotationPolicy(bytes: 4 * Self.lineBytes, hours: nil))
        try run.start()
        var seen: Set<String> = []
        for step in 0..<40 {
            try run.write(1 + step % 3)
            if step % 2 == 1 { try run.commit() }
            // A consumer polls the folder: a closed file, once seen, never changes again.
            for name in try run.closedNames() where !seen.contains(name) {
                seen.insert(name)
                let text = try run.text(name)
                #expect(text.hasSuffix("\n"))
                #expect(text.utf8.count >= 4 * Self.lineBytes)
            }
        }
        let before = try Dictionary(uniqueKeysWithValues: run.closedNames().map { ($0, try run.text($0)) })
        try run.write(5)
        try run.commit()
        for (name, text) in before { #expect(try run.text(name) == text) }
        try run.expectClosedFilesComplete()
    }

    // MARK: Crashes

    @Test func aCrashBeforeTheCommitCutsTheUncommittedLines() throws {
        let run = try Run(policy: RotationPolicy(bytes: 10 * Self.lineBytes, hours: nil))
        try run.start()
        try run.write(3)
        try run.commit()
        try run.write(4)
        run.crash()
        #expect(try run.union().count == 7, "the crashed writer's lines reached the file")
        let notes = try run.start()
        #expect(notes.contains { $0.contains("removed") && $0.contains("uncommitted bytes") })
        #expect(notes.contains { $0.hasPrefix("resumed") })
        try run.write(4)
        try run.commit()
        try run.expectExactlyOnce(through: 7)
        #expect(try run.openNames().count == 1)
    }

    @Test func aTornLastLineIsCutOff() throws {
        let run = try Run(policy: RotationPolicy(bytes: 10 * Self.lineBytes, hours: nil))
        try run.start()
        try run.write(2)
        try run.commit()
        try run.write(2)
        run.crash()
        // The crash came mid-write: the file ends inside a line.
        let open = try #require(try run.openNames().first)
        let path = run.outFolder + "/" + open
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(truncate(path, off_t(size - 5)) == 0)
        try run.start()
        try run.write(2)
        try run.commit()
        try run.expectExactlyOnce(through: 4)
    }

    @Test func aCrashAfterSealingBeforeStoringResumesTheFile() throws {
        let run = try Run(policy: RotationPolicy(bytes: 4 * Self.lineBytes, hours: nil))
        try run.start()
        try run.write(2)
        try run.commit()
        try run.write(3)
        try run.commit(store: false)  // sealed, but the state store never heard of it
        run.crash()
        #expect(try run.closedNames().isEmpty)
        try run.start()
        #expect(try run.closedNames().isEmpty, "a file holding uncommitted lines was closed")
        try run.write(3)
        try run.commit()
        try run.write(1)
        #expect(try run.closedNames().count == 1)
        try run.commit()
        try run.expectExactlyOnce(through: 6)
        try run.expectClosedFilesComplete()
    }

    @Test func aCrashAfterTheRenameBeforeTheNextCheckpointRemovesTheNewFile() throws {
        let run = try Run(policy: RotationPolicy(bytes: 2 * Self.lineBytes, hours: nil))
        try run.start()
        try run.write(2)
        try run.commit()  // sealed and stored
        try run.write(1)  // renames the sealed file, opens the next
        try run.commit(store: false)
        try run.write(1)
        run.crash()
        #expect(try run.closedNames().count == 1)
        #expect(try run.openNames().count == 1)
        let notes = try run.start()
        #expect(notes.contains { $0.contains("opened after the last commit") })
        #expect(try run.openNames().isEmpty)
        try run.write(2)
        try run.commit()
        try run.expectExactlyOnce(through: 4)
    }

    @Test func aSealedFileLeftByACrashIsClosedAtRestart() throws {
        let run = try Run(policy: RotationPolicy(bytes: 2 * Self.lineBytes, hours: nil))
        try run.start()
        try run.write(2)
        try run.commit()  // sealed and stored; the rename was to come with the next call
        run.crash()
        #expect(try run.closedNames().isEmpty)
        let notes = try run.start()
        #expect(notes.contains { $0.contains("closed") && $0.contains("left open by the last run") })
        #expect(try run.closedNames().count == 1)
        try run.write(1)
        try run.commit()
        try run.expectExactlyOnce(through: 3)
    }

    @Test func aFileClosedAtShutdownIsKnownAtRestart() throws {
        let run = try Run(policy: RotationPolicy(bytes: 100 * Self.lineBytes, hours: nil))
        try run.start()
        try run.write(2)
        try run.commit()
        try #require(run.writer).close()
        #expect(try run.openNames().isEmpty)
        #expect(try run.closedNames().count == 1)
        try run.start()
        try run.write(2)
        try run.commit()
        try run.expectExactlyOnce(through: 4)
        // A consumer takes the closed files away; the restart still works.
        for name in try run.closedNames() { try FileManager.default.removeItem(atPath: run.outFolder + "/" + name) }
        let notes = try run.start()
        #expect(notes.contains { $0.hasPrefix("resumed") })
    }

    @Test func closeKeepsAFileWithUncommittedLinesOpen() throws {
        let run = try Run(policy: RotationPolicy(bytes: 100 * Self.lineBytes, hours: nil))
        try run.start()
        try run.write(2)
        try run.commit()
        try run.write(1)
        try #require(run.writer).close()
        #expect(try run.closedNames().isEmpty)
        try run.start()
        try run.write(1)
        try run.commit()
        try run.expectExactlyOnce(through: 3)
    }

    @Test func anotherWritersLinesInTheOpenFileAreKept() throws {
        let run = try Run(policy: RotationPolicy(bytes: 100 * Self.lineBytes, hours: nil))
        try run.start()
        try run.write(2)
        try run.commit()
        run.crash()
        let open = try #require(try run.openNames().first)
        let handle = try #require(FileHandle(forWritingAtPath: run.outFolder + "/" + open))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"other\":1}\n".utf8))
        try handle.close()
        let notes = try run.start()
        #expect(notes.contains { $0.contains("appended by another writer kept") })
        try run.write(1)
        try run.commit()
        #expect(try run.union() == [Run.line(0), Run.line(1), "{\"other\":1}", Run.line(2)])
    }

    @Test func refusesAnOpenFileWhoseCommittedBytesChanged() throws {
        let run = try Run(policy: RotationPolicy(bytes: 100 * Self.lineBytes, hours: nil))
        try run.start()
        try run.write(2)
        try run.commit()
        run.crash()
        let open = try #require(try run.openNames().first)
        let other = String(repeating: "{\"z\":9}\n", count: 40)
        try Data(other.utf8).write(to: URL(fileURLWithPath: run.outFolder + "/" + open))
        #expect {
            try run.start()
        } throws: { error in
            "\(error)".contains("not the file this pipeline wrote")
        }
    }

    @Test func withoutAStateAFileLeftOpenIsClosedAsItIs() throws {
        let run = try Run(policy: RotationPolicy(bytes: 100 * Self.lineBytes, hours: nil))
        run.stateless = true
        try run.start()
        try run.write(2)
        try run.commit(store: false)
        run.crash()
        let notes = try run.start()
        #expect(notes.contains { $0.contains("as it was") })
        #expect(try run.openNames().isEmpty)
        #expect(try run.closedNames().count == 1)
    }

    /// Seeded random runs: writes, commits, stored or lost checkpoints, crashes at every
    /// step, idle hours; at the end the files hold every line exactly once, in order.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func manyRotationsAndCrashesKeepEveryLineExactlyOnce(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let run = try Run(policy: RotationPolicy(bytes: 5 * Self.lineBytes, hours: 1))
        try run.start()
        var crashes = 0
        var consumed: [String: String] = [:]
        for _ in 0..<300 {
            switch random.next() % 10 {
            case 0...3: try run.write(Int(random.next() % 4) + 1)
            case 4...6: try run.commit()
            case 7:
                // A crash between the sink's commit and the state store's.
                try run.commit(store: false)
                run.crash()
                try run.start()
                crashes += 1
            case 8: run.clock.advance(by: Double(random.next() % 5400))
            default:
                if random.next() % 2 == 0 { try run.write(Int(random.next() % 3) + 1) }
                run.crash()
                if random.next() % 3 == 0 {
                    // A second crash, during recovery.
                    try run.start(storeBaseline: false)
                    run.crash()
                }
                try run.start()
                crashes += 1
            }
            try run.expectClosedFilesComplete()
            // A consumer reading each file as soon as it appears reads what stays.
            for name in try run.closedNames() {
                let text = try run.text(name)
                #expect(consumed[name, default: text] == text, "\(name) changed after it was closed")
                consumed[name] = text
            }
        }
        try run.commit()
        try #require(run.writer).close()
        #expect(crashes > 10)
        #expect(try run.closedNames().count > 10)
        #expect(try run.openNames().isEmpty)
        try run.expectExactlyOnce(through: run.storedThrough)
    }
}
