/// Where records go: a list of bootstrap brokers and a topic, from a
/// `kafka://BROKER[,BROKER]/TOPIC` URL.
///
/// A broker is `host:port` (or `[v6-address]:port`); the port is required, since Kafka has no
/// port a reader could assume. The topic follows Kafka's rule: 1 to 249 characters of
/// `[A-Za-z0-9._-]`, and not `.` or `..`.
public struct KafkaEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The bootstrap brokers, `host:port` each, in the order given.
    public var brokers: [String]
    /// The topic records are published to.
    public var topic: String

    public init(brokers: [String], topic: String) {
        self.brokers = brokers
        self.topic = topic
    }

    /// Parses a `kafka://BROKER[,BROKER]/TOPIC` URL.
    /// - Throws: ``KafkaError`` with code `invalidURL`, saying which part is wrong.
    public init(url: String) throws {
        let scheme = "kafka://"
        guard url.lowercased().hasPrefix(scheme) else {
            throw Self.invalid(url, "it must start with kafka://")
        }
        let rest = url.dropFirst(scheme.count)
        guard let slash = rest.firstIndex(of: "/") else {
            throw Self.invalid(url, "it has no /TOPIC after the brokers")
        }
        let authority = rest[..<slash]
        let topic = String(rest[rest.index(after: slash)...])
        guard !authority.isEmpty else {
            throw Self.invalid(url, "it names no broker")
        }
        var brokers: [String] = []
        for part in authority.split(separator: ",", omittingEmptySubsequences: false) {
            let broker = String(part)
            guard Self.isBroker(broker) else {
                throw Self.invalid(url, "broker '\(broker)' is not host:port")
            }
            brokers.append(broker)
        }
        guard Self.isTopic(topic) else {
            throw Self.invalid(
                url,
                "topic '\(topic)' must be 1 to 249 characters of letters, digits, '.', '_' or '-'"
            )
        }
        self.init(brokers: brokers, topic: topic)
    }

    /// The URL this endpoint was read from.
    public var description: String { "kafka://\(self.brokers.joined(separator: ","))/\(self.topic)" }

    /// `bootstrap.servers` for librdkafka.
    var bootstrapServers: String { self.brokers.joined(separator: ",") }

    static func isTopic(_ topic: String) -> Bool {
        guard (1...249).contains(topic.utf8.count), topic != ".", topic != ".." else { return false }
        return topic.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default: false
            }
        }
    }

    private static func isBroker(_ broker: String) -> Bool {
        guard let colon = broker.lastIndex(of: ":") else { return false }
        let host = broker[..<colon]
        let port = broker[broker.index(after: colon)...]
        guard let number = Int(port), (1...65535).contains(number), port.allSatisfy(\.isASCII) else { return false }
        if host.hasPrefix("[") { return host.hasSuffix("]") && host.count > 2 }
        return !host.isEmpty && !host.contains(":") && !host.contains("@") && !host.contains(" ")
    }

    private static func invalid(_ url: String, _ reason: String) -> KafkaError {
        KafkaError(code: .invalidURL, message: "cannot use output '\(url)': \(reason)")
    }
}
