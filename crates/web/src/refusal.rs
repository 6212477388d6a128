//! A refused setting or fault in the page's words and language: the core's structured refusal
//! (`config::settings::refusal`: the setting, the rule broken, its kind and range) filled into
//! the English and Korean templates of `i18n` (its `refusal` table), and the rules across
//! settings (`Config::validate`, named by the setting its error names) translated. Times are
//! written in ms or s, never in the simulator's microseconds, and no CLI flag is named.

use crate::i18n::{fill, t, Lang};
use streamscope_core::config::settings::{
    broker, consumer, producer, refusal, sim, Problem, Refusal, SettingKind,
};
use streamscope_core::config::ConfigError;

/// A duration in the page's units: whole seconds as `s`, else `ms` (under a millisecond, `µs`).
pub fn duration_text(us: u64) -> String {
    if us == 0 {
        "0ms".to_string()
    } else if us >= 1_000_000 && us.is_multiple_of(1_000_000) {
        format!("{}s", us / 1_000_000)
    } else if us >= 1_000 && us.is_multiple_of(1_000) {
        format!("{}ms", us / 1_000)
    } else if us >= 1_000 {
        format!("{}ms", us as f64 / 1_000.0)
    } else {
        format!("{us}µs")
    }
}

/// What a setting of `kind` allows, in `lang`.
pub fn allowed(lang: Lang, kind: SettingKind) -> String {
    let f = |key: &str, args: &[(&str, &str)]| fill(t(lang, key), args);
    match kind {
        SettingKind::Int { min, max } => f(
            "a_int",
            &[("min", &min.to_string()), ("max", &max.to_string())],
        ),
        SettingKind::Duration {
            unit_us,
            min_us,
            max_us,
            unlimited,
        } => {
            let key = if unit_us == 1 {
                "a_duration_us"
            } else {
                "a_duration"
            };
            let (min, max) = (duration_text(min_us), duration_text(max_us));
            let mut s = f(key, &[("min", &min), ("max", &max)]);
            if unlimited {
                s.push_str(t(lang, "a_unlimited"));
            }
            s
        }
        SettingKind::Bool => t(lang, "a_bool").to_string(),
        SettingKind::Enum(vals) => f("a_enum", &[("list", &vals.join(", "))]),
        SettingKind::AssignorList => t(lang, "a_assignors").to_string(),
        SettingKind::Text => t(lang, "a_text").to_string(),
    }
}

/// The registry's refusal in `lang` (`None` for [`Problem::Refused`]: only the core's
/// English sentence says why).
fn registry_text(lang: Lang, r: &Refusal) -> Option<String> {
    let allowed = r.kind.map(|k| allowed(lang, k)).unwrap_or_default();
    let args = [
        ("name", r.setting.as_str()),
        ("raw", r.raw.as_str()),
        ("allowed", allowed.as_str()),
    ];
    let key = match r.problem {
        Problem::Unknown => "r_unknown",
        Problem::NotValid => "r_not_valid",
        Problem::OutOfRange => "r_out_of_range",
        Problem::TooLong => "r_too_long",
        Problem::Refused => return None,
    };
    Some(fill(t(lang, key), &args))
}

/// A rule across settings (`Config::validate`), named by the setting its error names.
/// `current` answers a setting's value in the config that was refused.
pub fn conflict_text(lang: Lang, e: &ConfigError, current: &dyn Fn(&str) -> String) -> String {
    let name = e.field.as_str();
    let key = [
        (producer::ACKS.name, "c_acks"),
        (
            producer::MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION.name,
            "c_max_in_flight",
        ),
        (producer::RETRIES.name, "c_retries"),
        (producer::TRANSACTIONAL_ID.name, "c_transactional_id"),
        (broker::REPLICATION_FACTOR.name, "c_replication_factor"),
        (
            broker::DEFAULT_REPLICATION_FACTOR.name,
            "c_replication_factor",
        ),
        (consumer::HEARTBEAT_INTERVAL_MS.name, "c_heartbeat"),
        (producer::DELIVERY_TIMEOUT_MS.name, "c_delivery_timeout"),
        (sim::PARTITION.name, "c_partition"),
    ]
    .iter()
    .find(|(n, _)| *n == name)
    .map_or("c_other", |(_, k)| k);
    let (acks, brokers) = (current(producer::ACKS.name), current(sim::BROKERS.name));
    fill(
        t(lang, key),
        &[
            ("name", name),
            ("acks", &acks),
            ("brokers", &brokers),
            ("message", &e.message),
        ],
    )
}

/// The page's text for a refused `name=raw`: the registry's rule in `lang` when the registry
/// refused it, else the rule across settings that `e` names.
pub fn setting_refused(
    lang: Lang,
    name: &str,
    raw: &str,
    e: &ConfigError,
    current: &dyn Fn(&str) -> String,
) -> String {
    match refusal(name, raw) {
        Some(r) => registry_text(lang, &r).unwrap_or_else(|| e.to_string()),
        None => conflict_text(lang, e, current),
    }
}

/// Every `<digits>us` in `text` (the core's canonical fault times) as ms or s.
pub fn page_times(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let digits = &text[start..i];
        let before_ok = start == 0 || !b[start - 1].is_ascii_alphanumeric();
        let unit = text[i..].starts_with("us")
            && !text[i + 2..].starts_with(|c: char| c.is_ascii_alphanumeric());
        match digits.parse::<u64>() {
            Ok(us) if unit && before_ok => {
                out.push_str(&duration_text(us));
                i += 2;
            }
            _ => out.push_str(digits),
        }
        if i < b.len() && i == start {
            let c = text[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// A refused fault in the page's words: the CLI's flag is not named, times in ms or s.
pub fn fault_refused(lang: Lang, e: &ConfigError) -> String {
    let message = page_times(&e.message).replace(
        "add --pipeline ctp (sim.pipeline=ctp)",
        "turn the pipeline on (sim.pipeline=ctp)",
    );
    fill(t(lang, "fault_refused"), &[("message", &message)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(lang: Lang, name: &str, raw: &str) -> String {
        let mut cfg = streamscope_core::Config::preset();
        let e = cfg
            .set(name, raw)
            .err()
            .unwrap_or_else(|| ConfigError::new(name, "?"));
        setting_refused(lang, name, raw, &e, &|_| String::new())
    }

    #[test]
    fn registry_refusals_speak_both_languages() {
        assert_eq!(
            refused(Lang::En, producer::BATCH_SIZE.name, "-1"),
            "batch.size: -1 is out of range: expected an integer from 0 to 2147483647"
        );
        assert_eq!(
            refused(Lang::Ko, producer::BATCH_SIZE.name, "-1"),
            "batch.size: -1은(는) 범위를 벗어났습니다: 0부터 2147483647까지의 정수여야 합니다"
        );
        let ko = refused(Lang::Ko, producer::LINGER_MS.name, "abc");
        assert!(
            ko.starts_with("linger.ms: 'abc'은(는) 올바른 값이 아닙니다"),
            "{ko}"
        );
        assert!(
            ko.contains("0ms") || ko.contains("1d") || ko.contains("86400s"),
            "{ko}"
        );
        let unknown = refused(Lang::En, "no.such", "1");
        assert!(!unknown.contains("--help") && !unknown.contains("streamscope run"));
    }

    #[test]
    fn no_microseconds_and_no_cli_flags() {
        for (name, raw) in [
            (producer::LINGER_MS.name, "abc"),
            (sim::NETWORK_LATENCY.name, "99s"),
        ] {
            for lang in [Lang::En, Lang::Ko] {
                let s = refused(lang, name, raw);
                assert!(!s.contains("000us") && !s.contains("--"), "{s}");
            }
        }
        assert_eq!(
            page_times("crash:broker=1@1500000us..2000000us"),
            "crash:broker=1@1500ms..2s"
        );
        assert_eq!(page_times("status 250us"), "status 250µs");
        assert_eq!(duration_text(0), "0ms");
        assert_eq!(page_times("plus 12usx"), "plus 12usx");
        assert_eq!(page_times("한 1000us"), "한 1ms");
    }

    #[test]
    fn conflicts_are_translated() {
        let e = ConfigError::new(
            producer::ACKS.name,
            "acks=1 with enable.idempotence=true: ...",
        );
        let ko = setting_refused(Lang::Ko, producer::ACKS.name, "1", &e, &|n| {
            if n == producer::ACKS.name {
                "1".into()
            } else {
                String::new()
            }
        });
        assert!(ko.starts_with("acks=1와 enable.idempotence=true는"), "{ko}");
    }
}
