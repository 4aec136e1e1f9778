import Foundation
import NewswireTesting

/// A librdkafka mock cluster in a child process (`newswire-kafka-mock serve`): the real Kafka
/// protocol over TCP on 127.0.0.1. It dies with the test: its standard input is our pipe.
final class MockKafka: @unchecked Sendable {
    // @unchecked: set once in init, then only read.
    let bootstrap: String
    private let process: Process
    private let input = Pipe()

    init(brokers: Int = 3) throws {
        let process = Process()
        process.executableURL = Repository.kafkaMockBinary
        process.arguments = ["serve", "--brokers", String(brokers), "--stdin"]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = self.input
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        var line: [UInt8] = []
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            guard let first = byte.first, first != UInt8(ascii: "\n") else { break }
            line.append(first)
        }
        self.bootstrap = String(decoding: line, as: UTF8.self)
    }

    /// Every message of `topic` read with `isolation.level=read_committed`, as (key, value).
    func consume(_ topic: String, idleMilliseconds: Int = 2500) async throws -> [(key: String, value: String)] {
        let result = try await runBlocking { () -> String in
            let process = Process()
            process.executableURL = Repository.kafkaMockBinary
            process.arguments = [
                "consume", "--bootstrap", self.bootstrap, "--topic", topic, "--read-committed", "--keys",
                "--idle-ms", String(idleMilliseconds),
            ]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        return result.split(separator: "\n").compactMap { line -> (key: String, value: String)? in
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { return nil }
            return (String(parts[0]), String(parts[1]))
        }
    }

    deinit {
        try? self.input.fileHandleForWriting.close()
        if self.process.isRunning { self.process.terminate() }
    }
}
