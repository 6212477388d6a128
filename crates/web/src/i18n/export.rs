//! The Export panel's texts (`panels::export`), in English and Korean.

/// (key, English, Korean).
pub const EXPORT_MESSAGES: &[(&str, &str, &str)] = &[
    ("export_group", "Export", "내보내기"),
    ("export_format", "Format", "형식"),
    ("export_java", "Java Properties", "Java Properties"),
    ("export_kafka_python", "kafka-python", "kafka-python"),
    (
        "export_text_label",
        "The current settings as a Kafka client's configuration",
        "현재 설정을 카프카 클라이언트 설정으로 옮긴 내용",
    ),
    ("export_copy", "Copy", "복사"),
    (
        "export_copied",
        "Copied ({format})",
        "복사했습니다 ({format})",
    ),
    (
        "export_copy_failed",
        "The browser refused to copy: select the text and copy it by hand",
        "브라우저가 복사를 허용하지 않았습니다. 텍스트를 선택해 직접 복사하세요",
    ),
];
