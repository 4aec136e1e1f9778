import ArgumentParser
import Foundation
import NewswireKafka

/// Test support around librdkafka's mock cluster: serve a cluster, read a topic, run a relay
/// over an outbox file, and benchmark the producer.
@main
struct KafkaMock: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "newswire-kafka-mock",
        abstract: "librdkafka's mock Kafka cluster and tools for the tests, the chaos script and the benchmark.",
        subcommands: [Serve.self, Consume.self, Relay.self, Bench.self]
    )
}

/// Runs a mock cluster until SIGTERM (or the end of stdin with `--stdin`).
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Start a mock cluster on 127.0.0.1; print its bootstrap servers as the first line; serve until stopped."
    )

    @Option(help: "Brokers in the cluster.")
    var brokers = 3

    @Option(help: "A topic to create first, as NAME:PARTITIONS (repeatable).")
    var topic: [String] = []

    @Flag(help: "Also stop when stdin reaches its end (so the cluster dies with its parent).")
    var stdin = false

    func run() throws {
        let cluster = try KafkaMockCluster(brokers: self.brokers)
        for spec in self.topic {
            let parts = spec.split(separator: ":")
            guard parts.count == 2, let partitions = Int(parts[1]), partitions > 0 else {
                throw ValidationError("--topic must be NAME:PARTITIONS, not \(spec)")
            }
            try cluster.createTopic(String(parts[0]), partitions: partitions)
        }
        FileHandle.standardOutput.write(Data("\(cluster.bootstrapServers)\n".utf8))
        if self.stdin {
            while FileHandle.standardInput.availableData.count > 0 {}
        } else {
            while true { sleep(3600) }
        }
        withExtendedLifetime(cluster) {}
    }
}

/// Prints every message of a topic, one a line, until none arrives for a while.
struct Consume: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every message value of a topic, one per line, until no message arrives for --idle-ms."
    )

    @Option(help: "Bootstrap servers, host:port[,host:port].")
    var bootstrap: String

    @Option(help: "The topic.")
    var topic: String

    @Flag(help: "isolation.level=read_committed.")
    var readCommitted = false

    @Flag(help: "Print the key and a tab before each value.")
    var keys = false

    @Option(help: "Stop after this long without a message.")
    var idleMs = 2000

    func run() throws {
        let consumer = try KafkaConsumer(bootstrapServers: self.bootstrap, readCommitted: self.readCommitted)
        guard let partitions = try consumer.partitionCount(topic: self.topic) else {
            throw ValidationError("topic \(self.topic) does not exist")
        }
        try consumer.assign(topic: self.topic, partitions: (0..<partitions).map { Int32($0) })
        let output = FileHandle.standardOutput
        var buffer: [UInt8] = []
        var idle = 0
        while idle < self.idleMs {
            guard let event = try consumer.poll(milliseconds: 100) else {
                idle += 100
                continue
            }
            guard case .message(let message) = event else { continue }
            idle = 0
            if self.keys {
                buffer += message.key ?? []
                buffer.append(UInt8(ascii: "\t"))
            }
            buffer += message.value
            buffer.append(UInt8(ascii: "\n"))
            if buffer.count > 1 << 16 {
                output.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        output.write(Data(buffer))
    }
}
