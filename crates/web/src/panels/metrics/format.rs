//! The metrics panel's words: which rows are the key metrics (by Kafka's names), a node's
//! label, a value in the page's units (ms, records/s, bytes; NaN as "—"), a delta with its
//! sign, and a sparkline of samples. Formatting only: every value is the core's.

use crate::i18n::{t, tf, Lang};
use streamscope_core::sim::view::{MetricNode, MetricRow};

/// The key metrics, as (name, attribute): a client's metric has no attribute; a broker's or
/// the controller's Yammer meter is shown by the attributes listed.
pub const KEY_METRICS: &[(&str, &str)] = &[
    ("record-send-rate", ""),
    ("batch-size-avg", ""),
    ("records-per-request-avg", ""),
    ("record-queue-time-avg", ""),
    ("request-latency-avg", ""),
    ("compression-rate-avg", ""),
    ("record-retry-rate", ""),
    ("record-error-rate", ""),
    ("buffer-available-bytes", ""),
    ("UnderReplicatedPartitions", "Value"),
    ("IsrShrinksPerSec", "Count"),
    ("IsrExpandsPerSec", "Count"),
    ("FailedProduceRequestsPerSec", "Count"),
    ("MessagesInPerSec", "OneMinuteRate"),
    ("MessagesInPerSec", "Count"),
    ("LeaderElectionRateAndTimeMs", "Count"),
    ("records-consumed-rate", ""),
    ("records-lag-max", ""),
    ("fetch-latency-avg", ""),
    ("commit-latency-avg", ""),
    ("rebalance-latency-avg", ""),
    ("join-rate", ""),
    ("last-heartbeat-seconds-ago", ""),
];

/// Whether (name, attribute, tags) is a key metric (untagged: a client's total, not a
/// partition's).
pub fn is_key(name: &str, attribute: &str, tags: &str) -> bool {
    tags.is_empty()
        && KEY_METRICS
            .iter()
            .any(|(n, a)| *n == name && *a == attribute)
}

/// Whether `row` is a key metric.
pub fn is_key_row(row: &MetricRow) -> bool {
    is_key(row.name, row.attribute, &row.tags)
}

/// The node's label in the page's words.
pub fn node_label(node: &MetricNode, lang: Lang) -> String {
    match node {
        MetricNode::Producer { producer } => {
            tf(lang, "metrics.producer", &[("n", &producer.to_string())])
        }
        MetricNode::Consumer {
            group, client_id, ..
        } => tf(lang, "metrics.consumer", &[("c", client_id), ("g", group)]),
        MetricNode::Broker { broker } => tf(lang, "metrics.broker", &[("n", &broker.to_string())]),
        MetricNode::Controller => t(lang, "metrics.controller").to_string(),
    }
}

/// A number without its unit: integers as they are (thousands grouped), others with two
/// decimals below 100 and none above.
pub fn number(v: f64) -> String {
    if v.is_nan() {
        return "—".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "∞" } else { "-∞" }.to_string();
    }
    if v.fract() == 0.0 || v.abs() >= 100.0 {
        grouped(v.round() as i64)
    } else {
        format!("{v:.2}")
    }
}

fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// A value in the page's words for its unit ("—" for NaN, whatever the unit).
pub fn value(v: f64, unit: &str, lang: Lang) -> String {
    if v.is_nan() {
        return "—".to_string();
    }
    unit_text(&number(v), unit, lang)
}

/// A delta: signed ("+3 partitions", "-1.50 ms"), "—" when either side is NaN.
pub fn delta(v: f64, unit: &str, lang: Lang) -> String {
    if v.is_nan() {
        return "—".to_string();
    }
    let n = number(v);
    let signed = if v > 0.0 { format!("+{n}") } else { n };
    unit_text(&signed, unit, lang)
}

fn unit_text(n: &str, unit: &str, lang: Lang) -> String {
    let key = format!("metrics.u.{unit}");
    match t(lang, &key) {
        "?" => format!("{n} {unit}"),
        _ => tf(lang, &key, &[("v", n)]),
    }
}

/// Eight-level bars from the lowest to the highest sample; a NaN sample is a space.
pub fn sparkline(samples: impl Iterator<Item = f64> + Clone) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let finite = samples.clone().filter(|v| v.is_finite());
    let lo = finite.clone().fold(f64::INFINITY, f64::min);
    let hi = finite.fold(f64::NEG_INFINITY, f64::max);
    samples
        .map(|v| {
            if !v.is_finite() {
                ' '
            } else if hi <= lo {
                BARS[0]
            } else {
                let i = ((v - lo) / (hi - lo) * 7.0).round() as usize;
                BARS[i.min(7)]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_the_pages_words() {
        assert_eq!(value(f64::NAN, "ms", Lang::En), "—");
        assert_eq!(value(12.345, "ms", Lang::En), "12.35 ms");
        assert_eq!(value(1234.0, "records/s", Lang::En), "1,234 records/s");
        assert_eq!(value(1234.0, "records/s", Lang::Ko), "초당 1,234건");
        assert_eq!(value(33554432.0, "bytes", Lang::Ko), "33,554,432바이트");
        assert_eq!(delta(2.0, "partitions", Lang::En), "+2 partitions");
        assert_eq!(delta(-1.5, "ms", Lang::En), "-1.50 ms");
        assert_eq!(delta(f64::NAN, "ms", Lang::Ko), "—");
        assert_eq!(value(3.0, "furlongs", Lang::En), "3 furlongs");
    }

    #[test]
    fn sparkline_spans_low_to_high() {
        let s = sparkline([0.0, 1.0, f64::NAN, 7.0].into_iter());
        assert_eq!(s, "▁▂ █");
        assert_eq!(sparkline([5.0, 5.0].into_iter()), "▁▁");
    }

    #[test]
    fn key_metrics_are_untagged() {
        assert!(is_key("records-lag-max", "", ""));
        assert!(!is_key("records-lag-max", "", "topic=orders,partition=0"));
        assert!(is_key("MessagesInPerSec", "Count", ""));
        assert!(!is_key("MessagesInPerSec", "MeanRate", ""));
    }
}
