//! The simulator's own settings (`sim.*`), for what Kafka has no name for: the size of the
//! world, what the applications do (the producing workload, the consumer's processing and
//! commits, the pipeline), and the network. Defaults are the preset's. What the producing
//! application does applies live; the rest on reset. `processing.guarantee` is Kafka Streams'
//! name for the pipeline's guarantee.

use super::codec::{Flag, Named, Partition, Us, U32};
use super::{int, us_range, SettingKind, LIVE, ON_RESET};
use crate::compression::payload::ValueKind;
use crate::config::{CommitMode, PipelineKind, ProcessingGuarantee, SendMode};

registry! {
    BROKERS = ("sim.brokers", Sim, int(1, 16), "3", ON_RESET,
        Sim.brokers: U32,
        "Brokers in the cluster (ids 0..n-1).");
    CONSUMERS = ("sim.consumers", Sim, int(0, 64), "2", ON_RESET,
        Group.consumers: U32,
        "Members of each consumer group at start.");
    PRODUCE_RATE = ("sim.produce.rate", Sim, int(0, 10_000_000), "200", LIVE,
        Workload.records_per_s: U32,
        "Records per second the application sends.");
    KEYS = ("sim.keys", Sim, int(0, 1_000_000), "6", LIVE,
        Workload.keys: U32,
        "Distinct keys (key-0, key-1, ...); 0 = all keyless.");
    KEYLESS_PERCENT = ("sim.keyless.percent", Sim, int(0, 100), "50", LIVE,
        Workload.keyless_percent: U32,
        "Share of records sent with a null key.");
    VALUE_BYTES = ("sim.value.bytes", Sim, int(0, 1_048_576), "100", LIVE,
        Workload.value_bytes: U32,
        "Serialized value size in bytes.");
    VALUE_KIND = ("sim.value.kind", Sim, SettingKind::Enum(&["json", "text", "letters", "random"]), "json", LIVE,
        Workload.value_kind: Named<ValueKind>,
        "What values look like: json orders, text, A-Z letters (like kafka-producer-perf-test), random bytes.");
    HEADERS = ("sim.headers", Sim, int(0, 32), "0", LIVE,
        Workload.headers: U32,
        "Headers on every record (h0, h1, ...).");
    HEADER_BYTES = ("sim.header.bytes", Sim, int(0, 65_535), "8", LIVE,
        Workload.header_bytes: U32,
        "Size of each header value in bytes.");
    PARTITION = ("sim.partition", Sim, int(-1, 1023), "-1", LIVE,
        Workload.explicit_partition: Partition,
        "Partition every record names explicitly (-1: the partitioner chooses).");
    SEND_MODE = ("sim.send.mode", Sim, SettingKind::Enum(&["async", "sync"]), "async", LIVE,
        Workload.send_mode: Named<SendMode>,
        "async: send() with a callback; sync: send().get() per record.");
    NETWORK_LATENCY = ("sim.network.latency", Sim, us_range(1, 10_000_000), "1ms", ON_RESET,
        Sim.network_latency_us: Us,
        "One-way latency of every network link.");
    CONSUMER_PROCESSING = ("sim.consumer.processing", Sim, us_range(0, 10_000_000), "0us", ON_RESET,
        Consumer.processing_us_per_record: Us,
        "Application time per consumed record (lets lag build up).");
    TRANSACTION_RECORDS = ("sim.transaction.records", Sim, int(0, 1_000_000), "10", LIVE,
        Workload.transaction_records: U32,
        "A transactional application's records per transaction (begin, send N, commit); 0: transactions only when the page begins and ends them.");
    TRANSACTION_ABORT_PERCENT = ("sim.transaction.abort.percent", Sim, int(0, 100), "0", LIVE,
        Workload.transaction_abort_percent: U32,
        "Share of its transactions the application aborts instead of committing.");
    CONSUMER_COMMIT = ("sim.consumer.commit", Sim, SettingKind::Enum(&["auto", "sync", "async"]), "auto", ON_RESET,
        Consumer.commit_mode: Named<CommitMode>,
        "What the consumer application calls after processing a poll's records: auto (nothing; enable.auto.commit commits), sync (commitSync(): the loop waits for the response), async (commitAsync(): no wait, no retry).");
    PIPELINE = ("sim.pipeline", Sim, SettingKind::Enum(&["none", "ctp"]), "none", ON_RESET,
        Pipeline.kind: Named<PipelineKind>,
        "ctp: a consume-transform-produce pipeline: processors (group ctp) read the first topic and write each record to topic output; a read_committed verifier (group verifier) reads output.");
    PROCESSING_GUARANTEE = ("processing.guarantee", Sim, SettingKind::Enum(&["at_least_once", "exactly_once_v2"]), "at_least_once", ON_RESET,
        Pipeline.guarantee: Named<ProcessingGuarantee>,
        "Kafka Streams' setting for the pipeline: at_least_once (produce, flush, then commit offsets: a crash in between repeats work) or exactly_once_v2 (each poll's output and offsets in one transaction, KIP-447).");
    PIPELINE_PROCESSORS = ("sim.pipeline.processors", Sim, int(1, 16), "2", ON_RESET,
        Pipeline.processors: U32,
        "Processor instances of the pipeline.");
    STATIC_MEMBERS = ("sim.static.members", Sim, SettingKind::Bool, "false", ON_RESET,
        Consumer.static_members: Flag,
        "Give every member a group.instance.id (<group.id>-instance-<n>): static membership, KIP-345.");
}
