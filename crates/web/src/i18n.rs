//! Every text the page shows, in English and Korean, from one table. The page starts in the
//! browser's language (Korean for `ko`, else English) and the toggle switches at once.

/// A page language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Ko,
}

impl Lang {
    /// From `navigator.language`: Korean for any `ko` tag, else English.
    pub fn from_browser(tag: &str) -> Lang {
        let t = tag.trim().to_ascii_lowercase();
        if t == "ko" || t.starts_with("ko-") || t.starts_with("ko_") {
            Lang::Ko
        } else {
            Lang::En
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Ko,
            Lang::Ko => Lang::En,
        }
    }
}

/// (key, English, Korean). Keys are referenced from index.html (`data-i18n`) and the code.
pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("title", "Streamscope: Kafka producer and consumer internals", "Streamscope: 카프카 프로듀서와 컨슈머 내부 동작"),
    ("tagline", "Every dot is a record. Everything that moves is computed by a deterministic Kafka simulator.", "점 하나가 레코드 하나입니다. 움직이는 모든 것은 결정적 카프카 시뮬레이터가 계산한 결과입니다."),
    ("play", "Play", "재생"),
    ("pause", "Pause", "일시정지"),
    ("step", "Step", "한 단계"),
    ("reset", "Reset", "초기화"),
    ("random_seed", "Random seed", "무작위 시드"),
    ("seed", "Seed", "시드"),
    ("speed", "Speed", "속도"),
    ("language", "한국어", "English"),
    ("language_label", "Language", "언어"),
    ("acks", "acks", "acks"),
    ("partitioner", "Partitioner", "파티셔너"),
    ("partitioner.builtin", "built-in (3.3+ default)", "내장 (3.3+ 기본값)"),
    ("partitioner.round-robin", "RoundRobinPartitioner", "RoundRobinPartitioner"),
    ("partitioner.legacy-sticky", "legacy sticky (2.4-3.2)", "구 스티키 (2.4-3.2)"),
    ("linger", "linger.ms", "linger.ms"),
    ("batch_size", "batch.size", "batch.size"),
    ("num_partitions", "num.partitions (on reset)", "num.partitions (초기화 시 적용)"),
    ("send_mode", "send()", "send()"),
    ("send_mode.async", "async (callback)", "비동기 (콜백)"),
    ("send_mode.sync", "sync (send().get())", "동기 (send().get())"),
    ("setting", "Any setting (name=value)", "설정 직접 입력 (이름=값)"),
    ("apply", "Apply", "적용"),
    ("applied", "Applied", "적용됨"),
    ("on_reset", "takes effect on Reset (this setting cannot change live yet)", "초기화 시 적용 (이 설정은 아직 실행 중에 바꿀 수 없음)"),
    ("producer", "Producer", "프로듀서"),
    ("accumulator", "RecordAccumulator", "RecordAccumulator"),
    ("accumulator_sub", "batches per partition, filling toward batch.size", "파티션별 배치, batch.size까지 채워짐"),
    ("brokers", "Brokers", "브로커"),
    ("brokers_sub", "KRaft cluster (no ZooKeeper); L leader, F follower", "KRaft 클러스터 (주키퍼 없음); L 리더, F 팔로워"),
    ("producer_sub", "KafkaProducer instance", "KafkaProducer 인스턴스"),
    ("group_sub", "members, assigned partitions, lag", "멤버, 할당된 파티션, 랙"),
    ("broker", "Broker", "브로커"),
    ("group", "Consumer group", "컨슈머 그룹"),
    ("consumer", "Consumer", "컨슈머"),
    ("sent", "sent", "전송"),
    ("acked", "acknowledged", "확인 응답"),
    ("failed", "failed", "실패"),
    ("consumed", "consumed", "소비"),
    ("lag", "lag", "랙"),
    ("leader", "leader", "리더"),
    ("follower", "follower", "팔로워"),
    ("hw", "HW", "HW"),
    ("leo", "LEO", "LEO"),
    ("buffer", "buffer.memory used", "buffer.memory 사용량"),
    ("in_flight", "in flight", "전송 중"),
    ("closing", "closing: finishing its batches", "종료 중: 남은 배치 처리"),
    ("closed", "closed", "종료됨"),
    ("idempotent", "idempotent", "멱등성"),
    ("not_idempotent", "not idempotent", "멱등성 꺼짐"),
    ("pid", "producer id", "프로듀서 ID"),
    ("time", "simulated time", "시뮬레이션 시간"),
    ("events", "events", "이벤트"),
    ("coordinator", "coordinator", "코디네이터"),
    ("generation", "generation", "세대"),
    ("assignor_range", "RangeAssignor (Kafka's default choice)", "RangeAssignor (카프카 기본 선택)"),
    ("keyless", "no key", "키 없음"),
    ("legend", "Colour = key (grey: no key). Squares in a broker are log offsets; the line is the high watermark.", "색 = 키 (회색: 키 없음). 브로커 안의 칸은 로그 오프셋, 선은 하이 워터마크입니다."),
    ("restart_note", "Kafka fixes producer settings at construction: changing one closes this producer (its batches finish first) and creates a new one with a new producer id.", "카프카 프로듀서 설정은 생성 시 고정됩니다: 설정을 바꾸면 기존 프로듀서를 닫고(남은 배치는 먼저 완료) 새 프로듀서 ID로 새 프로듀서를 만듭니다."),
    ("idempotence_note", "enable.idempotence left unset turns off when acks is not all; set explicitly with acks 0 or 1 it is a config error.", "enable.idempotence를 지정하지 않으면 acks가 all이 아닐 때 꺼집니다. acks 0 또는 1과 함께 명시적으로 켜면 설정 오류입니다."),
    ("kraft_note", "Kafka 4 has no ZooKeeper: a KRaft controller places replicas and elects leaders.", "카프카 4에는 주키퍼가 없습니다: KRaft 컨트롤러가 레플리카 배치와 리더 선출을 합니다."),
    ("preset_note", "Preset: 3 brokers, topic orders with 6 partitions and replication factor 3, group g1 reading from earliest, group.initial.rebalance.delay.ms=0 as in Kafka's development server.properties.", "프리셋: 브로커 3개, 파티션 6개와 복제 계수 3인 orders 토픽, earliest부터 읽는 g1 그룹, 카프카 개발용 server.properties처럼 group.initial.rebalance.delay.ms=0."),
    ("error", "Refused", "거부됨"),
    ("paused", "paused", "일시정지됨"),
    ("playing", "playing", "재생 중"),
    ("speed_unit", "x real time", "배 실제 시간"),
    ("catching_up", "catching up", "따라잡는 중"),
    ("msg.produce", "produce request", "프로듀스 요청"),
    ("msg.ack", "acknowledgement", "확인 응답"),
    ("msg.replica", "follower fetch", "팔로워 페치"),
    ("msg.fetch", "consumer fetch", "컨슈머 페치"),
    ("msg.group", "group protocol", "그룹 프로토콜"),
];

/// The text for `key` in `lang`; the key itself if it is missing (a bug the tests catch).
pub fn t(lang: Lang, key: &str) -> &'static str {
    for (k, en, ko) in MESSAGES {
        if *k == key {
            return match lang {
                Lang::En => en,
                Lang::Ko => ko,
            };
        }
    }
    "?"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_both_languages_and_unique_keys() {
        let mut keys: Vec<&str> = MESSAGES.iter().map(|m| m.0).collect();
        for (k, en, ko) in MESSAGES {
            assert!(!en.is_empty() && !ko.is_empty(), "{k}");
        }
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n, "duplicate keys");
    }

    #[test]
    fn browser_language() {
        assert_eq!(Lang::from_browser("ko-KR"), Lang::Ko);
        assert_eq!(Lang::from_browser("ko"), Lang::Ko);
        assert_eq!(Lang::from_browser("en-US"), Lang::En);
        assert_eq!(Lang::from_browser("kok"), Lang::En);
    }

    #[test]
    fn index_html_keys_exist() {
        let html = include_str!("../../../web/index.html");
        for part in html.split("data-i18n=\"").skip(1) {
            let key = part.split('"').next().unwrap_or("");
            assert!(
                MESSAGES.iter().any(|m| m.0 == key),
                "index.html uses unknown key {key}"
            );
        }
    }
}
