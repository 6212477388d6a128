//! The A/B comparison's texts (`comparison`, `world::start_compare`), in English and Korean.

/// (key, English, Korean).
pub const COMPARE_MESSAGES: &[(&str, &str, &str)] = &[
    ("g_compare", "Compare A/B", "A/B 비교"),
    (
        "cmp_hint",
        "World B runs beside this one on the same seed and gets the same faults and changes at the same simulated time, but with the settings you give here. The table shows both worlds' metrics and B - A.",
        "월드 B는 같은 시드로 지금 월드 옆에서 실행되고, 같은 장애와 변경을 같은 시뮬레이션 시각에 받습니다. 다른 점은 여기 적은 설정뿐입니다. 표에는 두 월드의 메트릭과 B - A가 나옵니다.",
    ),
    ("cmp_settings", "World B's settings", "월드 B의 설정"),
    ("cmp_start", "Compare", "비교 시작"),
    ("cmp_stop", "Stop comparing", "비교 끝내기"),
    ("cmp_started", "Comparing with world B: {b}", "월드 B와 비교합니다: {b}"),
    ("cmp_stopped", "Comparison stopped", "비교를 끝냈습니다"),
    ("cmp_off", "Not comparing", "비교하지 않는 중"),
    ("cmp_caption_a", "A: the settings shown", "A: 지금 설정"),
    ("cmp_caption_b", "B: {b}", "B: {b}"),
    ("cmp_canvas_label", "World B: {b}", "월드 B: {b}"),
    ("cmp_col_metric", "Metric", "메트릭"),
    ("cmp_col_delta", "B - A", "B - A"),
    ("cmp_at", "Both worlds at {t}", "두 월드 모두 {t} 시점"),
    ("cmp_behind", "World B is catching up ({t})", "월드 B가 따라가는 중입니다 ({t})"),
    (
        "cmp_empty",
        "World B: give at least one setting as name=value, for example linger.ms=20",
        "월드 B: name=value 형식으로 설정을 하나 이상 적어 주세요. 예: linger.ms=20",
    ),
    (
        "cmp_not_assignment",
        "World B: '{part}' is not name=value (separate settings with commas: linger.ms=20, acks=1)",
        "월드 B: '{part}'는 name=value 형식이 아닙니다 (설정은 쉼표로 구분합니다: linger.ms=20, acks=1)",
    ),
    (
        "cmp_twice",
        "World B: {name} is given twice: give each setting once",
        "월드 B: {name}이(가) 두 번 있습니다. 설정마다 한 번만 적어 주세요",
    ),
    (
        "cmp_same",
        "World B: {name}={value} is already world A's value: pick another value",
        "월드 B: {name}={value}는 이미 월드 A의 값입니다. 다른 값을 고르세요",
    ),
    ("cmp_refused", "World B: {message}", "월드 B: {message}"),
    (
        "cmp_reset_refused",
        "The comparison stopped: after Reset, {message}",
        "비교를 끝냈습니다. 초기화 후 {message}",
    ),
    ("cmp_scope.producer", "producer", "프로듀서"),
    ("cmp_scope.consumers", "consumers", "컨슈머"),
    ("cmp_scope.brokers", "brokers", "브로커"),
    ("cmp_scope.controller", "controller", "컨트롤러"),
    ("cmp_scope.run", "run", "실행"),
];
