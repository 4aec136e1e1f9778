internal import CRdKafka

/// librdkafka's mock cluster (`rdkafka_mock.h`): brokers in this process that speak the real
/// Kafka protocol over TCP on 127.0.0.1. Test support only: the product talks to any broker
/// list and nothing in it knows about the mock.
///
/// What librdkafka 2.0.2's mock does not do (checked): it writes no transaction markers, so a
/// read_committed consumer also sees messages of aborted transactions, and it does not fence
/// a producer whose transactional id was taken over. ``OutboxRelay`` copes with the first
/// (it resumes after what the topic holds); the second needs a single relay (a lease).
package final class KafkaMockCluster: Sendable {
    // The handle the cluster lives in, and the cluster; both are only destroyed in deinit.
    private nonisolated(unsafe) let handle: OpaquePointer
    private nonisolated(unsafe) let cluster: OpaquePointer
    /// `host:port,…` of the brokers.
    package let bootstrapServers: String

    /// Starts `brokers` brokers on ephemeral ports.
    package init(brokers: Int = 3) throws {
        let configuration = try KafkaClient.configuration([("log_level", "3")])
        self.handle = try KafkaClient.handle(RD_KAFKA_PRODUCER, configuration)
        guard let cluster = rd_kafka_mock_cluster_new(self.handle, Int32(brokers)) else {
            rd_kafka_destroy(self.handle)
            throw KafkaError(code: .configuration, message: "rd_kafka_mock_cluster_new failed")
        }
        self.cluster = cluster
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(self.cluster)
        rd_kafka_destroy(self.handle)
    }

    /// Creates a topic (topics are otherwise created on first use with the mock's defaults).
    package func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 3) throws {
        let result = rd_kafka_mock_topic_create(self.cluster, name, Int32(partitions), Int32(replicationFactor))
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: .configuration, "creating mock topic '\(name)'", result)
        }
    }

    /// Takes a broker down (it stops answering) or brings it back up; ids start at 1.
    package func setBroker(_ id: Int32, up: Bool) {
        if up {
            _ = rd_kafka_mock_broker_set_up(self.cluster, id)
        } else {
            _ = rd_kafka_mock_broker_set_down(self.cluster, id)
        }
    }

    /// Makes the next `count` requests of protocol API `apiKey` (0 Produce, 26 EndTxn…) fail
    /// with the Kafka error `code` (the protocol's number, such as 90 PRODUCER_FENCED).
    package func failNextRequests(apiKey: Int16, count: Int, errorCode code: Int32) {
        let errors = [rd_kafka_resp_err_t](repeating: rd_kafka_resp_err_t(rawValue: code), count: count)
        rd_kafka_mock_push_request_errors_array(self.cluster, apiKey, errors.count, errors)
    }
}
