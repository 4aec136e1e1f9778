import Testing

@testable import NewswireKafka

@Suite struct KafkaEndpointTests {
    @Test func brokersAndTopicAreRead() throws {
        let endpoint = try KafkaEndpoint(
            url: "kafka://kafka-1.newsroom.invalid:9092,127.0.0.7:9093,[::1]:9094/articles.v1"
        )
        #expect(endpoint.brokers == ["kafka-1.newsroom.invalid:9092", "127.0.0.7:9093", "[::1]:9094"])
        #expect(endpoint.topic == "articles.v1")
        #expect(endpoint.description == "kafka://kafka-1.newsroom.invalid:9092,127.0.0.7:9093,[::1]:9094/articles.v1")
    }

    @Test(arguments: [
        ("http://broker:9092/articles", "must start with kafka://"),
        ("kafka://broker:9092", "no /TOPIC"),
        ("kafka:///articles", "names no broker"),
        ("kafka://broker/articles", "broker 'broker' is not host:port"),
        ("kafka://broker:0/articles", "is not host:port"),
        ("kafka://broker:9092,/articles", "broker '' is not host:port"),
        ("kafka://broker:9092/", "topic ''"),
        ("kafka://broker:9092/news/today", "topic 'news/today'"),
        ("kafka://broker:9092/..", "topic '..'"),
    ])
    func badURLsAreRefusedSayingWhy(url: String, reason: String) {
        #expect {
            _ = try KafkaEndpoint(url: url)
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.code == .invalidURL && error.message.contains(reason)
        }
    }
}
