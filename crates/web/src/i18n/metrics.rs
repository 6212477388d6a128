//! The texts of the metrics panel (issue 14, "Metrics under Kafka's names"), in English and
//! Korean: a table of the same shape as `MESSAGES`, read by `t` in the parent. The metric
//! names themselves stay Kafka's and are not translated; only the page's words around them
//! (nodes, units, headings) are here.

/// (key, English, Korean).
pub const METRICS_MESSAGES: &[(&str, &str, &str)] = &[
    ("metrics", "Metrics (Kafka's names)", "메트릭 (Kafka 이름)"),
    ("metrics.view", "Show", "보기"),
    ("metrics.key", "key metrics", "주요 메트릭"),
    ("metrics.all", "all metrics", "모든 메트릭"),
    ("metrics.node", "Node", "노드"),
    ("metrics.name", "Metric", "메트릭"),
    ("metrics.attribute", "Attribute", "속성"),
    ("metrics.value", "Value", "값"),
    ("metrics.trend", "Over time", "추이"),
    ("metrics.was", "Was", "이전"),
    ("metrics.now", "Now", "현재"),
    ("metrics.delta", "Delta", "변화"),
    ("metrics.after", "after: {change}", "변경 후: {change}"),
    (
        "metrics.unchanged",
        "No key metric changed yet.",
        "아직 바뀐 주요 메트릭이 없습니다.",
    ),
    (
        "metrics.empty",
        "No metrics yet.",
        "아직 메트릭이 없습니다.",
    ),
    ("metrics.producer", "producer {n}", "프로듀서 {n}"),
    ("metrics.consumer", "consumer {c} ({g})", "컨슈머 {c} ({g})"),
    ("metrics.broker", "broker {n}", "브로커 {n}"),
    ("metrics.controller", "controller", "컨트롤러"),
    ("metrics.u.ms", "{v} ms", "{v} ms"),
    ("metrics.u.records/s", "{v} records/s", "초당 {v}건"),
    ("metrics.u./s", "{v}/s", "초당 {v}"),
    ("metrics.u./h", "{v}/h", "시간당 {v}"),
    ("metrics.u.records", "{v} records", "{v}건"),
    ("metrics.u.bytes", "{v} bytes", "{v}바이트"),
    ("metrics.u.s", "{v} s", "{v}초"),
    ("metrics.u.partitions", "{v} partitions", "파티션 {v}개"),
    ("metrics.u.ratio", "{v}", "{v}"),
    ("metrics.u.count", "{v}", "{v}"),
];
