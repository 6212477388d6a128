//! The consumer's settings (`ConsumerConfig`, Kafka 4.1 defaults): where to start, commits,
//! fetching, the group's liveness timeouts, isolation and the assignors. They apply on reset:
//! the simulator builds its consumer groups once per world.

use super::codec::{Assignors, Flag, Ms, Named, U32};
use super::{int, ms_range, SettingKind, DAY_MS, I32_MAX, ON_RESET};
use crate::config::{IsolationLevel, OffsetReset};

registry! {
    AUTO_OFFSET_RESET = ("auto.offset.reset", Consumer, SettingKind::Enum(&["earliest", "latest", "none"]), "latest", ON_RESET,
        Consumer.auto_offset_reset: Named<OffsetReset>,
        "Where to start without a committed offset (preset: earliest).");
    ENABLE_AUTO_COMMIT = ("enable.auto.commit", Consumer, SettingKind::Bool, "true", ON_RESET,
        Consumer.enable_auto_commit: Flag,
        "Commit positions in the background.");
    AUTO_COMMIT_INTERVAL_MS = ("auto.commit.interval.ms", Consumer, ms_range(0, DAY_MS), "5000", ON_RESET,
        Consumer.auto_commit_interval_ms: Ms,
        "Auto-commit period.");
    FETCH_MIN_BYTES = ("fetch.min.bytes", Consumer, int(0, I32_MAX), "1", ON_RESET,
        Consumer.fetch_min_bytes: U32,
        "Bytes a fetch waits for.");
    FETCH_MAX_WAIT_MS = ("fetch.max.wait.ms", Consumer, ms_range(0, DAY_MS), "500", ON_RESET,
        Consumer.fetch_max_wait_ms: Ms,
        "Longest a fetch waits for fetch.min.bytes.");
    MAX_POLL_RECORDS = ("max.poll.records", Consumer, int(1, I32_MAX), "500", ON_RESET,
        Consumer.max_poll_records: U32,
        "Records one poll() returns at most.");
    MAX_PARTITION_FETCH_BYTES = ("max.partition.fetch.bytes", Consumer, int(0, I32_MAX), "1048576", ON_RESET,
        Consumer.max_partition_fetch_bytes: U32,
        "Bytes per partition per fetch.");
    HEARTBEAT_INTERVAL_MS = ("heartbeat.interval.ms", Consumer, ms_range(1, DAY_MS), "3000", ON_RESET,
        Consumer.heartbeat_interval_ms: Ms,
        "Heartbeat period to the group coordinator.");
    SESSION_TIMEOUT_MS = ("session.timeout.ms", Consumer, ms_range(1, DAY_MS), "45000", ON_RESET,
        Consumer.session_timeout_ms: Ms,
        "A member silent this long is removed.");
    MAX_POLL_INTERVAL_MS = ("max.poll.interval.ms", Consumer, ms_range(1, DAY_MS), "300000", ON_RESET,
        Consumer.max_poll_interval_ms: Ms,
        "Longest gap between polls; also the rebalance timeout.");
    ISOLATION_LEVEL = ("isolation.level", Consumer, SettingKind::Enum(&["read_uncommitted", "read_committed"]), "read_uncommitted", ON_RESET,
        Consumer.isolation_level: Named<IsolationLevel>,
        "read_committed: fetch only below the last stable offset and drop records of aborted transactions.");
    PARTITION_ASSIGNMENT_STRATEGY = ("partition.assignment.strategy", Consumer, SettingKind::AssignorList, "range,cooperative-sticky", ON_RESET,
        Consumer.partition_assignment_strategy: Assignors,
        "Assignors in order of preference; the group votes (Kafka 4 default: RangeAssignor, CooperativeStickyAssignor, so Range). Only cooperative-sticky alone rebalances cooperatively.");
}
