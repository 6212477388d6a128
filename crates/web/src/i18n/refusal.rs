//! A refused setting or fault in the page's words and language: the core's structured refusal
//! (`config::settings::refusal`: the setting, the rule broken, its kind and range) filled into
//! English and Korean templates, and the rules across settings (`Config::validate`, named by
//! the setting its error names) translated. Times are written in ms or s, never in the
//! simulator's microseconds, and no CLI flag is named.

use super::{fill, t, Lang};
use streamscope_core::config::settings::{refusal, Problem, Refusal, SettingKind};
use streamscope_core::config::ConfigError;

pub const REFUSAL_MESSAGES: &[(&str, &str, &str)] = &[
    ("r_unknown", "{name}: no such setting: pick one from the list under Any setting", "{name}: 없는 설정입니다. '설정 직접 입력' 목록에서 고르세요"),
    ("r_not_valid", "{name}: '{raw}' is not valid: expected {allowed}", "{name}: '{raw}'은(는) 올바른 값이 아닙니다: {allowed}"),
    ("r_out_of_range", "{name}: {raw} is out of range: expected {allowed}", "{name}: {raw}은(는) 범위를 벗어났습니다: {allowed}"),
    ("r_too_long", "{name}: too long: at most 249 characters (as a topic name)", "{name}: 너무 깁니다. 최대 249자입니다 (토픽 이름과 같음)"),
    ("r_name_value", "'{raw}': write name=value, e.g. linger.ms=20", "'{raw}': 이름=값 형식으로 쓰세요. 예: linger.ms=20"),
    ("a_int", "an integer from {min} to {max}", "{min}부터 {max}까지의 정수여야 합니다"),
    ("a_duration", "a duration from {min} to {max} (ms, or with a unit: 500ms, 2s, 1m)", "{min}부터 {max}까지의 시간이어야 합니다 (ms 단위 정수, 또는 500ms, 2s, 1m처럼 단위를 붙여서)"),
    ("a_duration_us", "a duration from {min} to {max}, with a unit: 250us, 5ms, 1s", "{min}부터 {max}까지의 시간이어야 합니다 (250us, 5ms, 1s처럼 단위를 붙여서)"),
    ("a_unlimited", ", or -1 for no limit", ", 또는 제한 없음은 -1"),
    ("a_bool", "true or false", "true 또는 false여야 합니다"),
    ("a_enum", "one of {list}", "{list} 중 하나여야 합니다"),
    ("a_assignors", "a comma list of range, roundrobin, sticky, cooperative-sticky", "range, roundrobin, sticky, cooperative-sticky를 쉼표로 나열해야 합니다"),
    ("a_text", "text of at most 249 characters", "최대 249자의 텍스트"),
    ("c_acks", "acks={acks} with enable.idempotence=true: the idempotent producer needs acks=all (set acks=all, or leave enable.idempotence unset so it turns off)", "acks={acks}와 enable.idempotence=true는 함께 쓸 수 없습니다: 멱등 프로듀서에는 acks=all이 필요합니다 (acks=all로 바꾸거나 enable.idempotence를 지정하지 마세요. 그러면 꺼집니다)"),
    ("c_max_in_flight", "max.in.flight.requests.per.connection: at most 5 with enable.idempotence=true", "max.in.flight.requests.per.connection: enable.idempotence=true이면 최대 5입니다"),
    ("c_retries", "retries: must be greater than 0 with enable.idempotence=true", "retries: enable.idempotence=true이면 0보다 커야 합니다"),
    ("c_transactional_id", "transactional.id needs idempotence: a transactional producer needs enable.idempotence and acks=all", "transactional.id에는 멱등성이 필요합니다: 트랜잭션 프로듀서는 enable.idempotence와 acks=all이 있어야 합니다"),
    ("c_replication_factor", "{name}: from 1 to the number of brokers ({brokers}); Kafka refuses a replication factor larger than the cluster", "{name}: 1부터 브로커 수({brokers})까지여야 합니다. 카프카는 클러스터보다 큰 복제 계수를 거부합니다"),
    ("c_heartbeat", "heartbeat.interval.ms: must be lower than session.timeout.ms", "heartbeat.interval.ms: session.timeout.ms보다 작아야 합니다"),
    ("c_delivery_timeout", "delivery.timeout.ms: must be at least linger.ms + request.timeout.ms", "delivery.timeout.ms: linger.ms + request.timeout.ms 이상이어야 합니다"),
    ("c_partition", "sim.partition: the topic has no such partition (-1: let the partitioner choose)", "sim.partition: 토픽에 그런 파티션이 없습니다 (-1: 파티셔너가 고름)"),
    ("c_other", "{name}: {message}", "{name}: 다른 설정과 맞지 않습니다 ({message})"),
    ("fault_refused", "fault {message}", "장애 입력을 받을 수 없습니다: {message}"),
];

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
fn conflict_text(lang: Lang, e: &ConfigError, current: &dyn Fn(&str) -> String) -> String {
    let name = e.field.as_str();
    let key = match name {
        "acks" => "c_acks",
        "max.in.flight.requests.per.connection" => "c_max_in_flight",
        "retries" => "c_retries",
        "transactional.id" => "c_transactional_id",
        "replication.factor" | "default.replication.factor" => "c_replication_factor",
        "heartbeat.interval.ms" => "c_heartbeat",
        "delivery.timeout.ms" => "c_delivery_timeout",
        "sim.partition" => "c_partition",
        _ => "c_other",
    };
    let (acks, brokers) = (current("acks"), current("sim.brokers"));
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
            refused(Lang::En, "batch.size", "-1"),
            "batch.size: -1 is out of range: expected an integer from 0 to 2147483647"
        );
        assert_eq!(
            refused(Lang::Ko, "batch.size", "-1"),
            "batch.size: -1은(는) 범위를 벗어났습니다: 0부터 2147483647까지의 정수여야 합니다"
        );
        let ko = refused(Lang::Ko, "linger.ms", "abc");
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
        for (name, raw) in [("linger.ms", "abc"), ("sim.network.latency", "99s")] {
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
        let e = ConfigError::new("acks", "acks=1 with enable.idempotence=true: ...");
        let ko = setting_refused(Lang::Ko, "acks", "1", &e, &|n| {
            if n == "acks" {
                "1".into()
            } else {
                String::new()
            }
        });
        assert!(ko.starts_with("acks=1와 enable.idempotence=true는"), "{ko}");
    }
}
