//! The random world of the simulator property: its settings and its config.

use proptest::prelude::*;
use streamscope_core::Config;

/// One random world.
#[derive(Clone, Debug)]
pub(crate) struct Case {
    pub(crate) seed: u64,
    pub(crate) acks: &'static str,
    /// `None`: enable.idempotence left unset; `Some(v)`: set explicitly.
    pub(crate) idempotence: Option<bool>,
    pub(crate) partitioner: &'static str,
    pub(crate) linger_ms: u64,
    pub(crate) batch_size: u32,
    pub(crate) rate: u32,
    pub(crate) keys: u32,
    pub(crate) keyless_percent: u32,
    pub(crate) value_bytes: u32,
    pub(crate) partitions: u32,
    pub(crate) replication_factor: u32,
    pub(crate) brokers: u32,
    pub(crate) max_in_flight: u32,
    pub(crate) send_mode: &'static str,
    pub(crate) consumers: u32,
    pub(crate) rebalance_delay_ms: u64,
    pub(crate) run_ms: u64,
}

impl Case {
    pub(crate) fn config(&self) -> Config {
        let mut c = Config::preset();
        let mut set = |name: &str, value: String| {
            c.set(name, &value)
                .unwrap_or_else(|e| panic!("{name}={value}: {e}"));
        };
        set("acks", self.acks.to_string());
        if let Some(v) = self.idempotence {
            set("enable.idempotence", v.to_string());
        }
        set("partitioner.class", self.partitioner.to_string());
        set("linger.ms", self.linger_ms.to_string());
        set("batch.size", self.batch_size.to_string());
        set("sim.produce.rate", self.rate.to_string());
        set("sim.keys", self.keys.to_string());
        set("sim.keyless.percent", self.keyless_percent.to_string());
        set("sim.value.bytes", self.value_bytes.to_string());
        set("num.partitions", self.partitions.to_string());
        set("replication.factor", self.replication_factor.to_string());
        set("sim.brokers", self.brokers.to_string());
        set(
            "max.in.flight.requests.per.connection",
            self.max_in_flight.to_string(),
        );
        set("sim.send.mode", self.send_mode.to_string());
        set("sim.consumers", self.consumers.to_string());
        set(
            "group.initial.rebalance.delay.ms",
            self.rebalance_delay_ms.to_string(),
        );
        c
    }
}

pub(crate) fn case_strategy() -> impl Strategy<Value = Case> {
    let producer = (
        prop_oneof![Just("0"), Just("1"), Just("all")],
        0u8..3,
        prop_oneof![Just("builtin"), Just("round-robin"), Just("legacy-sticky")],
        0u64..=50,
        prop_oneof![200u32..2_000, 2_000u32..=32_768],
        prop_oneof![Just(0u32), 1u32..200, 200u32..=4_000],
        0u32..=50,
        0u32..=100,
        0u32..=2_000,
        1u32..=10,
        prop_oneof![3 => Just("async"), 1 => Just("sync")],
    );
    let world = (
        any::<u64>(),
        1u32..=12,
        1u32..=3,
        0u32..=2,
        0u32..=4,
        0u64..=1_000,
        2_000u64..=5_000,
    );
    (producer, world).prop_map(
        |(
            (
                acks,
                idem,
                partitioner,
                linger_ms,
                batch_size,
                rate,
                keys,
                keyless_percent,
                value_bytes,
                max_in_flight,
                send_mode,
            ),
            (
                seed,
                partitions,
                replication_factor,
                extra_brokers,
                consumers,
                rebalance_delay_ms,
                run_ms,
            ),
        )| {
            // Explicit enable.idempotence=true only where Kafka accepts it (acks=all, at most
            // 5 in flight); otherwise unset (it turns itself off) or explicitly false.
            let idempotence = match idem {
                0 => None,
                1 => Some(false),
                _ if acks == "all" && max_in_flight <= 5 => Some(true),
                _ => None,
            };
            Case {
                seed,
                acks,
                idempotence,
                partitioner,
                linger_ms,
                batch_size,
                rate,
                keys,
                keyless_percent,
                value_bytes,
                partitions,
                replication_factor,
                brokers: replication_factor + extra_brokers,
                max_in_flight,
                send_mode,
                consumers,
                rebalance_delay_ms,
                run_ms,
            }
        },
    )
}
