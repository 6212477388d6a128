//! The canvas's and the inspector's texts added for issue 14 (producer ids, refused
//! requests, compression, the record's batch, names that are never cut), English and Korean.

#[rustfmt::skip]
pub const CANVAS_MESSAGES: &[(&str, &str, &str)] = &[
    ("cv.pid_epoch", "producer id {pid} · epoch {epoch}", "프로듀서 ID {pid} · 에포크 {epoch}"),
    ("cv.pid_waiting", "producer {n}: waiting for InitProducerId", "프로듀서 {n}: InitProducerId 응답 대기"),
    ("cv.pid_none", "producer {n} (no producer id)", "프로듀서 {n} (프로듀서 ID 없음)"),
    ("cv.pid_short", "pid {pid}", "pid {pid}"),
    ("cv.no_pid", "none (-1: not idempotent)", "없음 (-1: 멱등 프로듀서 아님)"),
    ("cv.last_error", "last error {e} (P{p}, {ago} s ago)", "마지막 오류 {e} (P{p}, {ago}초 전)"),
    ("cv.last_error_retried", "last error {e} (P{p}, {ago} s ago, retried)", "마지막 오류 {e} (P{p}, {ago}초 전, 재시도)"),
    ("cv.refused_count", "refused ×{n}", "거부 ×{n}"),
    ("cv.refused_chip", "refuses produce: {e}", "프로듀스 거부: {e}"),
    ("cv.acc_compressed", "{n} rec · {raw} raw → {wire}", "{n}건 · 원본 {raw} → {wire}"),
    ("cv.header_fmt", "{name}={value} ({n} B)", "{name}={value} ({n}바이트)"),
    ("cv.value_bytes", "Value bytes", "값 바이트"),
    ("cv.compression", "Batch codec", "배치 압축"),
    ("cv.codec_sizes", "{codec}: {wire} bytes on the wire, {raw} uncompressed", "{codec}: 전송 {wire}바이트, 압축 전 {raw}바이트"),
    ("cv.codec_unsent", "{codec} (the batch is not sent yet: its size is not final)", "{codec} (배치가 아직 전송되지 않아 크기가 확정되지 않음)"),
    ("cv.sequence", "Sequence, epoch", "시퀀스, 에포크"),
    ("cv.seq_fmt", "sequence {seq} · producer epoch {epoch}", "시퀀스 {seq} · 프로듀서 에포크 {epoch}"),
    ("cv.seq_none", "none: no producer id, so no sequence numbers (not idempotent)", "없음: 프로듀서 ID가 없어 시퀀스 번호도 없음 (멱등 아님)"),
    ("cv.seq_unsent", "not yet: given when its batch is first sent", "아직 없음: 배치가 처음 전송될 때 정해짐"),
    ("cv.batch_fmt", "producer {p} · batch #{n}", "프로듀서 {p} · 배치 #{n}"),
    ("cv.consumer_title", "{g} · {client}", "{g} · {client}"),
    ("cv.coordinator_of", "coordinator of {g}", "{g}의 코디네이터"),
    ("cv.topic_rows", "topic {topic}", "토픽 {topic}"),
    ("cv.error_counts", "{n} errors · {f} records failed", "오류 {n}건 · 실패한 레코드 {f}건"),
];
