internal import CRdKafka

/// A failure of the Kafka output: a bad URL or setting, a broker that refused or lost a
/// message, a transaction that could not complete, or a relay fenced by a newer one.
public struct KafkaError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: Hashable, Sendable {
            case invalidURL
            case configuration
            case produce
            case delivery
            case transaction
            case fenced
            case fatal
            case metadata
            case consume
        }
        private let kind: Kind

        /// The `kafka://BROKER[,BROKER]/TOPIC` URL cannot be used.
        public static let invalidURL = Code(kind: .invalidURL)
        /// librdkafka refused a setting or could not create its handle.
        public static let configuration = Code(kind: .configuration)
        /// A message could not be queued (other than a full queue, which waits).
        public static let produce = Code(kind: .produce)
        /// The brokers did not acknowledge a message (its delivery report carried an error).
        public static let delivery = Code(kind: .delivery)
        /// Beginning, committing or aborting a transaction failed; the batch is retried.
        public static let transaction = Code(kind: .transaction)
        /// Another producer with the same `transactional.id` took over: this one must stop.
        public static let fenced = Code(kind: .fenced)
        /// The producer hit an error it cannot recover from and must be recreated.
        public static let fatal = Code(kind: .fatal)
        /// Topic metadata (its partitions) could not be read.
        public static let metadata = Code(kind: .metadata)
        /// Reading a topic failed.
        public static let consume = Code(kind: .consume)

        public var description: String {
            switch self.kind {
            case .invalidURL: "invalid_url"
            case .configuration: "configuration"
            case .produce: "produce"
            case .delivery: "delivery"
            case .transaction: "transaction"
            case .fenced: "fenced"
            case .fatal: "fatal"
            case .metadata: "metadata"
            case .consume: "consume"
            }
        }
    }

    public var code: Code
    /// What happened, with librdkafka's own message when there is one.
    public var message: String
    /// librdkafka's `rd_kafka_resp_err_t`, kept for logs.
    public var kafkaCode: Int32?

    public init(code: Code, message: String, kafkaCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.kafkaCode = kafkaCode
    }

    public var description: String {
        if let kafkaCode = self.kafkaCode {
            return "\(self.code): \(self.message) (librdkafka error \(kafkaCode))"
        }
        return "\(self.code): \(self.message)"
    }
}

extension KafkaError {
    /// Turns a response code into an error, keeping librdkafka's text for it.
    init(code: Code, _ what: String, _ error: rd_kafka_resp_err_t) {
        let text = String(cString: rd_kafka_err2str(error))
        self.init(code: code, message: "\(what): \(text)", kafkaCode: error.rawValue)
    }

    /// Turns an `rd_kafka_error_t` into an error and destroys it. A fenced or fatal one gets
    /// its own code, so a caller knows not to retry.
    init(consuming error: OpaquePointer, _ what: String) {
        let text = String(cString: rd_kafka_error_string(error))
        let raw = rd_kafka_error_code(error)
        let code: Code
        if raw == RD_KAFKA_RESP_ERR__FENCED || raw == RD_KAFKA_RESP_ERR_PRODUCER_FENCED
            || raw == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH
        {
            code = .fenced
        } else if rd_kafka_error_is_fatal(error) != 0 {
            code = .fatal
        } else {
            code = .transaction
        }
        rd_kafka_error_destroy(error)
        self.init(code: code, message: "\(what): \(text)", kafkaCode: raw.rawValue)
    }
}
