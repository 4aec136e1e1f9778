internal import CRdKafka

/// Builds librdkafka configurations and reads topic metadata, for the producer and the
/// consumer alike.
enum KafkaClient {
    /// A configuration with `settings` applied in order.
    /// - Throws: ``KafkaError`` `configuration` naming the property librdkafka refused.
    static func configuration(_ settings: [(String, String)]) throws -> OpaquePointer {
        guard let configuration = rd_kafka_conf_new() else {
            throw KafkaError(code: .configuration, message: "rd_kafka_conf_new failed")
        }
        var buffer = [CChar](repeating: 0, count: 512)
        for (name, value) in settings {
            let result = rd_kafka_conf_set(configuration, name, value, &buffer, buffer.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(configuration)
                throw KafkaError(
                    code: .configuration,
                    message: "librdkafka refused \(name)=\(value): \(Self.string(buffer))"
                )
            }
        }
        return configuration
    }

    /// Creates a client handle; librdkafka owns `configuration` from then on.
    static func handle(_ type: rd_kafka_type_t, _ configuration: OpaquePointer) throws -> OpaquePointer {
        var buffer = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(type, configuration, &buffer, buffer.count) else {
            rd_kafka_conf_destroy(configuration)
            throw KafkaError(code: .configuration, message: "rd_kafka_new failed: \(Self.string(buffer))")
        }
        return handle
    }

    /// The number of partitions of `topic`, or nil when the cluster does not know the topic.
    /// - Throws: ``KafkaError`` `metadata` when the brokers cannot be asked.
    static func partitionCount(_ handle: OpaquePointer, topic: String, timeoutMilliseconds: Int32) throws -> Int? {
        guard let topicHandle = rd_kafka_topic_new(handle, topic, nil) else {
            throw KafkaError(code: .metadata, message: "cannot open topic '\(topic)'")
        }
        defer { rd_kafka_topic_destroy(topicHandle) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let result = rd_kafka_metadata(handle, 0, topicHandle, &metadata, timeoutMilliseconds)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError(code: .metadata, "reading metadata of topic '\(topic)'", result)
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        guard metadata.pointee.topic_cnt > 0 else { return nil }
        let entry = metadata.pointee.topics[0]
        if entry.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || entry.partition_cnt == 0 { return nil }
        guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: .metadata, "reading metadata of topic '\(topic)'", entry.err)
        }
        return Int(entry.partition_cnt)
    }

    static func string(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
