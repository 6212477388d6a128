//! The refusals' message table (English and Korean templates); `crate::refusal` fills them
//! from the core's structured refusal.

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
