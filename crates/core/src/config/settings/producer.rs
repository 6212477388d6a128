//! The producer's settings (`ProducerConfig`, Kafka 4.1 defaults): acknowledgements and
//! idempotence, batching, retries and timeouts, compression, the partitioner, serializers and
//! transactions. Every one applies live: the simulator recreates the producer, as Kafka
//! requires (a `KafkaProducer`'s config is fixed at construction).

use super::codec::{Flag, GzipLevel, Ms, Named, Text, I32, U32, U64};
use super::{int, ms_range, SettingKind, DAY_MS, I32_MAX, LIVE};
use crate::compression::CompressionType;
use crate::config::{Acks, PartitionerKind};
use crate::producer::record::Serializer;

registry! {
    ACKS = ("acks", Producer, SettingKind::Enum(&["0", "1", "all", "-1"]), "all", LIVE,
        Producer.acks: Named<Acks>,
        "Replicas that must have a record before it is acknowledged.");
    ENABLE_IDEMPOTENCE = ("enable.idempotence", Producer, SettingKind::Bool, "true", LIVE,
        Producer.enable_idempotence: Flag,
        "Producer id + sequence numbers; brokers drop duplicates. Unset, it turns off when acks is not all.");
    LINGER_MS = ("linger.ms", Producer, ms_range(0, DAY_MS), "5", LIVE,
        Producer.linger_ms: Ms,
        "How long a batch waits for more records (4.0 default: 5).");
    BATCH_SIZE = ("batch.size", Producer, int(0, I32_MAX), "16384", LIVE,
        Producer.batch_size: U32,
        "Bytes per partition batch.");
    BUFFER_MEMORY = ("buffer.memory", Producer, int(0, 1 << 40), "33554432", LIVE,
        Producer.buffer_memory: U64,
        "Bytes the accumulator may hold.");
    MAX_BLOCK_MS = ("max.block.ms", Producer, ms_range(0, DAY_MS), "60000", LIVE,
        Producer.max_block_ms: Ms,
        "How long send() blocks when buffer.memory is exhausted.");
    MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION = ("max.in.flight.requests.per.connection", Producer, int(1, 1000), "5", LIVE,
        Producer.max_in_flight_requests_per_connection: U32,
        "Unacknowledged requests per broker connection.");
    RETRIES = ("retries", Producer, int(0, I32_MAX), "2147483647", LIVE,
        Producer.retries: U32,
        "Retries of a failed batch (bounded by delivery.timeout.ms).");
    RETRY_BACKOFF_MS = ("retry.backoff.ms", Producer, ms_range(0, DAY_MS), "100", LIVE,
        Producer.retry_backoff_ms: Ms,
        "First retry backoff (exponential since 3.7).");
    RETRY_BACKOFF_MAX_MS = ("retry.backoff.max.ms", Producer, ms_range(0, DAY_MS), "1000", LIVE,
        Producer.retry_backoff_max_ms: Ms,
        "Retry backoff cap.");
    REQUEST_TIMEOUT_MS = ("request.timeout.ms", Producer, ms_range(0, DAY_MS), "30000", LIVE,
        Producer.request_timeout_ms: Ms,
        "How long the producer waits for a response.");
    DELIVERY_TIMEOUT_MS = ("delivery.timeout.ms", Producer, ms_range(0, DAY_MS), "120000", LIVE,
        Producer.delivery_timeout_ms: Ms,
        "Upper bound from send() to success or failure.");
    MAX_REQUEST_SIZE = ("max.request.size", Producer, int(1, I32_MAX), "1048576", LIVE,
        Producer.max_request_size: U32,
        "Largest produce request.");
    COMPRESSION_TYPE = ("compression.type", Producer, SettingKind::Enum(&["none", "gzip", "snappy", "lz4", "zstd"]), "none", LIVE,
        Producer.compression_type: Named<CompressionType>,
        "Batch compression codec, applied to the real batch bytes.");
    COMPRESSION_GZIP_LEVEL = ("compression.gzip.level", Producer, int(-1, 9), "-1", LIVE,
        Producer.compression_gzip_level: GzipLevel,
        "gzip level (1-9; -1: zlib's default, 6; 0 is refused as in Kafka).");
    COMPRESSION_LZ4_LEVEL = ("compression.lz4.level", Producer, int(1, 17), "9", LIVE,
        Producer.compression_lz4_level: I32,
        "lz4 level (Kafka: 9 is liblz4's fast compressor, others LZ4 HC; the simulator runs the fast one at every level).");
    COMPRESSION_ZSTD_LEVEL = ("compression.zstd.level", Producer, int(-131_072, 22), "3", LIVE,
        Producer.compression_zstd_level: I32,
        "zstd level.");
    PARTITIONER_CLASS = ("partitioner.class", Producer, SettingKind::Enum(&["builtin", "round-robin", "legacy-sticky"]), "builtin", LIVE,
        Producer.partitioner: Named<PartitionerKind>,
        "builtin: Kafka 3.3+ default; round-robin: RoundRobinPartitioner; legacy-sticky: the 2.4-3.2 default.");
    PARTITIONER_IGNORE_KEYS = ("partitioner.ignore.keys", Producer, SettingKind::Bool, "false", LIVE,
        Producer.partitioner_ignore_keys: Flag,
        "Built-in partitioner ignores keys (keyed records go sticky).");
    PARTITIONER_ADAPTIVE_PARTITIONING_ENABLE = ("partitioner.adaptive.partitioning.enable", Producer, SettingKind::Bool, "true", LIVE,
        Producer.partitioner_adaptive_partitioning_enable: Flag,
        "Built-in partitioner favours partitions with shorter queues.");
    PARTITIONER_AVAILABILITY_TIMEOUT_MS = ("partitioner.availability.timeout.ms", Producer, ms_range(0, DAY_MS), "0", LIVE,
        Producer.partitioner_availability_timeout_ms: Ms,
        "Skip partitions whose leader is not ready for this long (0 = off).");
    KEY_SERIALIZER = ("key.serializer", Producer, SettingKind::Enum(Serializer::NAMES), "string", LIVE,
        Producer.key_serializer: Named<Serializer>,
        "string|integer|long|json|bytes: Kafka's StringSerializer, IntegerSerializer, ... (the bytes decide the partition).");
    TRANSACTIONAL_ID = ("transactional.id", Producer, SettingKind::Text, "", LIVE,
        Producer.transactional_id: Text,
        "Makes the producer transactional (implies enable.idempotence and acks=all); its coordinator is partition abs(hashCode) % transaction.state.log.num.partitions of __transaction_state. Empty: none.");
    TRANSACTION_TIMEOUT_MS = ("transaction.timeout.ms", Producer, ms_range(1, 900_000), "60000", LIVE,
        Producer.transaction_timeout_ms: Ms,
        "The coordinator aborts a transaction open longer than this (at most the broker's transaction.max.timeout.ms, 900000).");
    VALUE_SERIALIZER = ("value.serializer", Producer, SettingKind::Enum(Serializer::NAMES), "string", LIVE,
        Producer.value_serializer: Named<Serializer>,
        "How values become bytes (integer: 4 bytes, long: 8).");
}
