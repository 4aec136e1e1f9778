#ifndef NEWSWIRE_CRDKAFKA_SHIM_H
#define NEWSWIRE_CRDKAFKA_SHIM_H

// librdkafka's rd_kafka_producev is variadic (a list of RD_KAFKA_V_* macros), which Swift
// cannot call: one typed wrapper with the fields we use.
#include <librdkafka/rdkafka.h>
// The mock cluster (real Kafka protocol over TCP), used by the test-support executable only.
#include <librdkafka/rdkafka_mock.h>

// Produces one message to `partition` of `topic`, copying key and value
// (RD_KAFKA_MSG_F_COPY). On success librdkafka owns `headers` (may be NULL); on failure the
// caller still owns them (rd_kafka_producev(3): "the headers are only taken over on success").
static inline rd_kafka_resp_err_t crdkafka_produce(rd_kafka_t *rk, rd_kafka_topic_t *topic, int32_t partition,
                                                   const void *key, size_t key_length, const void *value,
                                                   size_t value_length, rd_kafka_headers_t *headers) {
    if (headers != NULL) {
        return rd_kafka_producev(rk, RD_KAFKA_V_RKT(topic), RD_KAFKA_V_PARTITION(partition),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_length),
                                 RD_KAFKA_V_VALUE((void *)value, value_length), RD_KAFKA_V_HEADERS(headers),
                                 RD_KAFKA_V_END);
    }
    return rd_kafka_producev(rk, RD_KAFKA_V_RKT(topic), RD_KAFKA_V_PARTITION(partition),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_length),
                             RD_KAFKA_V_VALUE((void *)value, value_length), RD_KAFKA_V_END);
}

// RD_KAFKA_OFFSET_BEGINNING / _END are macros of negative numbers.
static inline int64_t crdkafka_offset_beginning(void) { return RD_KAFKA_OFFSET_BEGINNING; }
static inline int64_t crdkafka_offset_end(void) { return RD_KAFKA_OFFSET_END; }
static inline int32_t crdkafka_partition_unassigned(void) { return RD_KAFKA_PARTITION_UA; }

#endif
